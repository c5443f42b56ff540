import { z } from 'zod'

/**
 * The shapes user input takes at the edge, declared once: every query and path value is checked here
 * (a 400 naming the field), never passed raw to SQL or a date function.
 */

/** A code: a region, an outlet, a model (1-64 of A-Z a-z 0-9 _ . -). */
export const codeParam = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'a code: 1-64 of A-Z a-z 0-9 _ . -')

/** A calendar day, YYYY-MM-DD, that exists, between 1970 and 2199 (days past that overflow date arithmetic). */
export const dayParam = z.iso
  .date('a day that exists, YYYY-MM-DD')
  .refine((d) => d >= '1970-01-01' && d <= '2199-12-31', 'a day from 1970-01-01 to 2199-12-31')

/** A dead letter's reason code (bad_json, schema, …). */
export const reasonCodeParam = z.string().regex(/^[a-z_]{1,32}$/, 'a reason code such as bad_json or schema')
