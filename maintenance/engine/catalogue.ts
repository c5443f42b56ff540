import { z } from 'zod'
import { DEVICE_KINDS, PART_IDS } from '../../shared/index.js'
import v1 from './catalogue-v1.json' with { type: 'json' }

const conditionSchema = z
  .object({
    metric: z.enum(['salt_rejection', 'pressure_loss_kpa']),
    limit: z.number(),
    direction: z.enum(['below', 'above'])
  })
  .strict()

const componentSchema = z
  .object({
    part: z.string().regex(/^[a-z0-9_]{1,64}$/),
    partNumber: z.string().min(1),
    litres: z.number().positive().optional(),
    hours: z.number().positive().optional(),
    m3: z.number().positive().optional(),
    months: z.number().int().positive().optional(),
    leadTimeDays: z.number().int().min(0).max(120),
    condition: conditionSchema.optional()
  })
  .strict()
  .refine((c) => c.litres ?? c.hours ?? c.m3 ?? c.months, {
    message: 'a component needs at least one limit: litres, hours, m3 or months'
  })

const modelSchema = z
  .object({
    model: z.string().min(1),
    kind: z.enum(DEVICE_KINDS),
    machineType: z.string().optional(),
    components: z.array(componentSchema).min(1)
  })
  .strict()

export const catalogueSchema = z
  .object({
    version: z.number().int().positive(),
    inspectionsAfterDeliveryMonths: z.array(z.number().int().positive()),
    models: z.array(modelSchema).min(1)
  })
  .strict()
  .superRefine((cat, ctx) => {
    const seen = new Set<string>()
    cat.models.forEach((m, i) => {
      if (seen.has(m.model))
        ctx.addIssue({
          code: 'custom',
          path: ['models', i, 'model'],
          message: `model ${m.model} is listed twice`
        })
      seen.add(m.model)
      m.components.forEach((c, j) => {
        const unit = m.kind === 'purifier' ? c.litres : (c.hours ?? c.m3)
        if (m.kind === 'purifier' && (c.hours || c.m3))
          ctx.addIssue({
            code: 'custom',
            path: ['models', i, 'components', j],
            message: 'a purifier component is limited by litres, not hours or m3'
          })
        if (m.kind === 'machine' && c.litres)
          ctx.addIssue({
            code: 'custom',
            path: ['models', i, 'components', j],
            message: 'a machine component is limited by hours or m3, not litres'
          })
        if (unit === undefined && c.months === undefined)
          ctx.addIssue({ code: 'custom', path: ['models', i, 'components', j], message: 'no limit' })
        if (!PART_IDS[m.kind].includes(c.part) && !/^x_/.test(c.part)) {
          ctx.addIssue({
            code: 'custom',
            path: ['models', i, 'components', j, 'part'],
            message: `unknown part ${c.part} (a model's own parts start with x_)`
          })
        }
      })
    })
  })

export type Catalogue = z.infer<typeof catalogueSchema>
export type CatalogueModel = Catalogue['models'][number]
export type Component = CatalogueModel['components'][number]

/** Validates a catalogue, naming every wrong field by its path. */
export function parseCatalogue(data: unknown): Catalogue {
  const result = catalogueSchema.safeParse(data)
  if (!result.success) {
    throw new Error(
      `invalid catalogue:\n${result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n')}`
    )
  }
  return result.data
}

/** The catalogue shipped with aftercare (maintenance/engine/catalogue-v1.json). */
export const defaultCatalogue: Catalogue = parseCatalogue(v1)

export function modelOf(catalogue: Catalogue, model: string): CatalogueModel | undefined {
  return catalogue.models.find((m) => m.model === model)
}

/** The counter a component's usage limit is measured on. */
export function usageUnit(c: Component): 'litres' | 'hours' | 'm3' | undefined {
  return c.litres !== undefined
    ? 'litres'
    : c.hours !== undefined
      ? 'hours'
      : c.m3 !== undefined
        ? 'm3'
        : undefined
}

export function usageLimit(c: Component): number | undefined {
  return c.litres ?? c.hours ?? c.m3
}
