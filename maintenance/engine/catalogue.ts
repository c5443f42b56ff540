import { z } from 'zod'
import { DEVICE_KINDS, type DeviceKind } from '../../shared/index.js'
import example from './catalogue-example.json' with { type: 'json' }

/**
 * The maker's catalogue: one versioned document with their models (kind, machine type, components and
 * their limits, lead times, part numbers, prices), the inspections after delivery, the cost of a visit,
 * and the fault catalogue. It is data the maker imports (`aftercare catalogue import`); the one shipped
 * here is the example a new install starts with. Every field is described here, once: the JSON Schema
 * (`aftercare catalogue schema`, docs/catalogue.schema.json) is generated from this.
 */

const partId = z
  .string()
  .regex(/^[a-z0-9_]{1,64}$/, 'a part id is 1-64 of a-z 0-9 _')
  .describe('the part id used in events and orders, e.g. pp_sediment or engine_oil')

const conditionSchema = z
  .object({
    metric: z
      .enum(['salt_rejection', 'pressure_loss_kpa'])
      .describe('salt_rejection = 1 − tdsOut/tdsIn (RO membranes); pressure_loss_kpa across the stage'),
    limit: z.number().describe('the value at which the part is spent'),
    direction: z
      .enum(['below', 'above'])
      .describe('spent when the metric falls below or rises above the limit')
  })
  .strict()
  .describe('a condition limit, watched as a trend against the part’s own baseline')

const componentSchema = z
  .object({
    part: partId,
    partNumber: z.string().min(1).max(64).describe('the maker’s part number, as stock and orders know it'),
    litres: z.number().positive().optional().describe('volume life in litres (purifiers)'),
    hours: z.number().positive().optional().describe('life in engine hours (machines)'),
    m3: z.number().positive().optional().describe('life in pumped cubic metres (concrete pumps)'),
    months: z.number().int().positive().optional().describe('time life in months since it was fitted'),
    leadTimeDays: z
      .number()
      .int()
      .min(0)
      .max(120)
      .describe('days from ordering the part to having it on hand'),
    price: z.number().min(0).optional().describe('price of the part in the catalogue’s currency'),
    condition: conditionSchema.optional()
  })
  .strict()

const modelSchema = z
  .object({
    model: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'a model code is 1-64 of A-Z a-z 0-9 _ . -')
      .describe('the model code devices are provisioned with, e.g. RO5-Home'),
    kind: z.enum(DEVICE_KINDS),
    machineType: z
      .string()
      .regex(/^[a-z0-9_]{1,64}$/)
      .optional()
      .describe('machines: the type fault codes are listed for, e.g. concrete_pump'),
    name: z.string().max(200).optional().describe('a readable name'),
    components: z.array(componentSchema).min(1)
  })
  .strict()

export const FAULT_GRADES = ['A1', 'A2', 'A3', 'B1', 'B2', 'B3', 'C1', 'C2', 'C3'] as const

const faultSchema = z
  .object({
    code: z.string().regex(/^[A-Za-z0-9_.-]{1,32}$/, 'a fault code is 1-32 of A-Z a-z 0-9 _ . -'),
    title: z.string().min(1).max(200),
    machineTypes: z.array(z.string()).min(1).describe('the machine types that report this code'),
    category: z.enum(['electrical', 'mechanical', 'hydraulic', 'other']),
    cause: z.enum(['misuse', 'repair', 'replace_part']),
    grade: z.enum(FAULT_GRADES).describe('A = stops the machine (an emergency order) … C = cosmetic'),
    workload: z.number().positive().describe('workload coefficient of the job (A3 = 10 … C1 = 1)'),
    parts: z.array(partId).default([]).describe('parts the fix usually replaces'),
    promiseHours: z
      .number()
      .int()
      .positive()
      .max(720)
      .default(24)
      .describe('grade A: hours within which the emergency visit is promised')
  })
  .strict()

export const catalogueSchema = z
  .object({
    version: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('the version this document becomes; when given, it must be newer than the stored one'),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, 'an ISO 4217 code, e.g. CNY')
      .default('CNY'),
    visitCost: z
      .object({ purifier: z.number().min(0), machine: z.number().min(0) })
      .strict()
      .default({ purifier: 120, machine: 800 })
      .describe('what one visit costs an outlet, by device kind, in the catalogue’s currency'),
    inspectionsAfterDeliveryMonths: z
      .array(z.number().int().positive().max(120))
      .default([1, 3, 6, 12])
      .describe('routine inspections, in months after delivery'),
    models: z.array(modelSchema).min(1),
    faults: z.array(faultSchema).default([])
  })
  .strict()
  .superRefine((cat, ctx) => {
    const issue = (path: (string | number)[], message: string) =>
      ctx.addIssue({ code: 'custom', path, message })
    const seen = new Set<string>()
    const types = new Set<string>()
    cat.models.forEach((m, i) => {
      if (seen.has(m.model)) issue(['models', i, 'model'], `model ${m.model} is listed twice`)
      seen.add(m.model)
      if (m.kind === 'machine' && !m.machineType)
        issue(
          ['models', i, 'machineType'],
          'a machine model needs its machine type (faults are listed by it)'
        )
      if (m.machineType) types.add(m.machineType)
      const parts = new Set<string>()
      m.components.forEach((c, j) => {
        const at = ['models', i, 'components', j]
        if (parts.has(c.part)) issue([...at, 'part'], `part ${c.part} is listed twice in ${m.model}`)
        parts.add(c.part)
        if (m.kind === 'purifier' && (c.hours !== undefined || c.m3 !== undefined))
          issue(at, 'a purifier component is limited by litres or months, not hours or m3')
        if (m.kind === 'machine' && c.litres !== undefined)
          issue(at, 'a machine component is limited by hours, m3 or months, not litres')
        if (c.litres === undefined && c.hours === undefined && c.m3 === undefined && c.months === undefined)
          issue(at, 'a component needs at least one limit: litres, hours, m3 or months')
      })
    })
    const codes = new Set<string>()
    cat.faults.forEach((f, i) => {
      if (codes.has(f.code)) issue(['faults', i, 'code'], `fault ${f.code} is listed twice`)
      codes.add(f.code)
      f.machineTypes.forEach((t, j) => {
        if (!types.has(t))
          issue(
            ['faults', i, 'machineTypes', j],
            `no model has machine type ${t} (known: ${[...types].join(', ') || 'none'})`
          )
      })
    })
  })

/** A catalogue as written (optional fields may be missing). */
export type CatalogueInput = z.input<typeof catalogueSchema>
export type Catalogue = z.infer<typeof catalogueSchema>
export type CatalogueModel = Catalogue['models'][number]
export type Component = CatalogueModel['components'][number]
export type Fault = Catalogue['faults'][number]

/** One thing wrong with a catalogue: where (a path such as `models.2.components.0.hours`) and what. */
export interface CatalogueIssue {
  path: (string | number)[]
  message: string
}

/** Validates a catalogue; every issue names its path and what was expected. */
export function checkCatalogue(data: unknown): { catalogue: Catalogue } | { issues: CatalogueIssue[] } {
  const result = catalogueSchema.safeParse(data)
  if (result.success) return { catalogue: result.data }
  return {
    issues: result.error.issues.map((i) => ({
      path: i.path.map((p) => (typeof p === 'number' ? p : String(p))),
      message: i.message
    }))
  }
}

/** Validates a catalogue, throwing one error that lists every issue by its path. */
export function parseCatalogue(data: unknown): Catalogue {
  const checked = checkCatalogue(data)
  if ('catalogue' in checked) return checked.catalogue
  throw new Error(
    `invalid catalogue:\n${checked.issues.map((i) => `  ${i.path.join('.') || '(document)'}: ${i.message}`).join('\n')}`
  )
}

/** The example catalogue shipped with aftercare (maintenance/engine/catalogue-example.json). */
export const defaultCatalogue: Catalogue = parseCatalogue(example)

export function modelOf(catalogue: Catalogue, model: string): CatalogueModel | undefined {
  return catalogue.models.find((m) => m.model === model)
}

export function faultOf(catalogue: Catalogue, code: string): Fault | undefined {
  return catalogue.faults.find((f) => f.code === code)
}

/** The model codes of one kind, for messages that list what is known. */
export function modelsOfKind(catalogue: Catalogue, kind: DeviceKind): string[] {
  return catalogue.models.filter((m) => m.kind === kind).map((m) => m.model)
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

/** The catalogue document's JSON Schema, generated from the zod schema above (input side: defaults optional). */
export function catalogueJsonSchema(): Record<string, unknown> {
  return {
    title: 'aftercare catalogue',
    description: 'The maker’s models, components, inspections, visit cost and fault catalogue',
    ...z.toJSONSchema(catalogueSchema, { io: 'input', unrepresentable: 'any' })
  }
}
