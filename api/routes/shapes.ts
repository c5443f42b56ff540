import { z } from 'zod'
import { COMPLAINT_CATEGORIES } from '../../maintenance/index.js'

/** Input shapes several route files share. */
export const score = z.enum(['A', 'B', 'C', 'D', 'E'])
export const complaintBody = z
  .object({
    category: z.enum(COMPLAINT_CATEGORIES),
    text: z.string().min(1).max(2000)
  })
  .strict()
export const monthSchema = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'a month, YYYY-MM')
export const idParams = z.object({ id: z.coerce.number().int().positive() })
