import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { AppError, deviceIdSchema } from '../../shared/index.js'
import { codeParam, dayParam } from '../params.js'
import {
  complaintSchema,
  healthSchema,
  kpisSchema,
  planSchema,
  planSummarySchema,
  runOutSchema
} from '../responses.js'
import {
  COMPLAINT_CATEGORIES,
  ORDER_STATUSES,
  ORDER_TYPES,
  type ComponentHealth,
  type OrderStore,
  type OutletKpis,
  type PlanningSummary,
  type ServiceOrders,
  type SqlOutletStore,
  type SqlServiceRecords
} from '../../maintenance/index.js'

const orderSchema = z.object({
  id: z.number(),
  deviceId: z.string(),
  type: z.enum(ORDER_TYPES),
  status: z.enum(ORDER_STATUSES),
  outlet: z.string().nullable(),
  visitDay: z.string().nullable(),
  deadline: z.string().nullable(),
  parts: z.array(z.object({ part: z.string(), partNumber: z.string() })),
  inspection: z.number().nullable(),
  reason: z.string(),
  createdAt: z.string(),
  atRisk: z.boolean(),
  expectedRunOut: z.string().nullable(),
  technician: z.string().nullable().describe('who is to make the visit'),
  catalogueVersion: z
    .number()
    .nullable()
    .describe('the catalogue version the planning pass proposed it with (null: a live rule or a person)'),
  completion: z
    .object({
      replacedParts: z.array(z.string()),
      firstVisitFix: z.boolean(),
      scores: z.object({ timeliness: z.number(), quality: z.number(), attitude: z.number() }).nullable(),
      note: z.string().nullable(),
      completedAt: z.string(),
      by: z.string().nullable()
    })
    .nullable()
})

export interface PlanDeps {
  orders: Pick<OrderStore, 'list' | 'count' | 'get'>
  /** The service loop's use cases: schedule, dispatch, cancel, complete, complain. */
  service: ServiceOrders
  runPlan: () => Promise<PlanningSummary>
  /** KPIs per outlet for a month (YYYY-MM). */
  kpis: (month: string) => Promise<OutletKpis[]>
  outlets: SqlOutletStore
  records: SqlServiceRecords
  /** Visits an outlet makes a day when the outlets table does not say. */
  defaultCapacity: number
  /** The last planning pass's estimate for each component of a device (from InfluxDB). */
  deviceHealth: (deviceId: string) => Promise<ComponentHealth[]>
}

const score = z.enum(['A', 'B', 'C', 'D', 'E'])
const complaintBody = z
  .object({
    category: z.enum(COMPLAINT_CATEGORIES),
    text: z.string().min(1).max(2000)
  })
  .strict()
const monthSchema = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'a month, YYYY-MM')
const idParams = z.object({ id: z.coerce.number().int().positive() })

/** The planning pass on demand, and the orders it proposes. */
export async function planRoutes(app: FastifyInstance, deps: PlanDeps): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>()

  r.post(
    '/plan/run',
    {
      preHandler: app.requireRole('planner'),
      schema: {
        tags: ['plan'],
        description: 'Only the node holding the plan lease runs it (409 PLAN_LEASE_HELD on the others).',
        response: { 200: planSummarySchema }
      }
    },
    // the summary's full shape is the engine's; the schema declares the fields clients rely on
    async () => (await deps.runPlan()) as unknown as z.infer<typeof planSummarySchema>
  )

  r.get(
    '/plan',
    {
      preHandler: app.requireRole('planner', 'technician'),
      schema: {
        tags: ['plan'],
        querystring: z.object({
          from: dayParam.optional(),
          to: dayParam.optional(),
          outlet: codeParam.optional()
        }),
        response: { 200: planSchema }
      }
    },
    async (request) => {
      const from = request.query.from ?? new Date().toISOString().slice(0, 10)
      const to = request.query.to ?? new Date(Date.parse(from) + 84 * 86400000).toISOString().slice(0, 10)
      const days = await deps.outlets.load(from, to, deps.defaultCapacity, request.query.outlet)
      return { from, to, days: days.map((d) => ({ ...d, over: d.visits > d.capacity })) }
    }
  )

  r.get(
    '/devices/:id/health',
    {
      preHandler: app.requireRole('planner', 'technician'),
      schema: { tags: ['plan'], params: z.object({ id: deviceIdSchema }), response: { 200: healthSchema } }
    },
    async (request) => ({ device: request.params.id, components: await deps.deviceHealth(request.params.id) })
  )

  r.get(
    '/orders/:id',
    {
      preHandler: app.requireRole('planner', 'technician'),
      schema: { tags: ['plan'], summary: 'one order', params: idParams, response: { 200: orderSchema } }
    },
    async (request) => deps.orders.get(request.params.id)
  )

  r.post(
    '/orders/:id/transition',
    {
      preHandler: app.requireRole('planner', 'technician'),
      schema: {
        tags: ['plan'],
        params: idParams,
        body: z
          .object({
            to: z.enum(['scheduled', 'dispatched', 'cancelled']),
            note: z.string().max(2000).default(''),
            technician: z
              .string()
              .regex(/^[A-Za-z0-9_.@ -]{1,64}$/, 'a name or account: 1-64 letters, digits, space, _ . @ -')
              .optional()
              .describe('who is to make the visit')
              .meta({ examples: ['li-wei'] })
          })
          .strict(),
        response: { 200: orderSchema }
      }
    },
    async (request) =>
      deps.service.move(
        request.params.id,
        request.body.to,
        request.account?.name ?? 'unknown',
        request.body.note,
        request.body.technician
      )
  )

  r.post(
    '/orders/:id/reschedule',
    {
      preHandler: app.requireRole('planner'),
      schema: {
        tags: ['plan'],
        params: idParams,
        body: z.object({ visitDay: dayParam, note: z.string().max(2000).default('') }).strict(),
        response: { 200: orderSchema }
      }
    },
    async (request) =>
      deps.service.reschedule(
        request.params.id,
        request.body.visitDay,
        request.account?.name ?? 'unknown',
        request.body.note
      )
  )

  const outletSchema = z.object({
    code: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/),
    regions: z.array(z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/)).min(1),
    capacityPerDay: z.number().int().min(1).max(10000),
    visitCost: z
      .number()
      .min(0)
      .nullish()
      .describe(
        "what a visit costs this outlet; the catalogue's visitCost for the device's kind when not set"
      )
  })
  r.put(
    '/outlets/:code',
    {
      preHandler: app.requireRole('planner'),
      schema: {
        tags: ['plan'],
        params: z.object({ code: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/) }),
        body: outletSchema.omit({ code: true }).strict(),
        response: { 200: outletSchema }
      }
    },
    async (request) => deps.outlets.upsert({ code: request.params.code, ...request.body })
  )
  r.get(
    '/outlets',
    {
      preHandler: app.requireRole('planner', 'technician'),
      schema: { tags: ['plan'], response: { 200: z.object({ outlets: z.array(outletSchema) }) } }
    },
    async () => ({ outlets: await deps.outlets.list() })
  )

  const stockLine = z.object({
    partNumber: z.string().meta({ examples: ['PP-400-05'] }),
    quantity: z.number().describe('on the shelf'),
    reserved: z.number().describe('set aside for scheduled or dispatched orders'),
    available: z.number()
  })
  const codeParams = z.object({ code: codeParam })
  r.put(
    '/outlets/:code/stock',
    {
      preHandler: app.requireRole('planner'),
      schema: {
        tags: ['plan'],
        description:
          'Sets the quantities of the part numbers given (others stay as they are). Scheduling an order sets aside a unit of each of its parts the outlet has free; completion takes the replaced parts off the shelf; a part that would be late for its lead time is planned from free stock.',
        params: codeParams,
        body: z
          .object({
            parts: z
              .record(z.string().regex(/^[A-Za-z0-9_./-]{1,64}$/), z.number().int().min(0).max(1_000_000))
              .meta({ examples: [{ 'PP-400-05': 12, 'RO-400-75': 3 }] })
          })
          .strict(),
        response: { 200: z.object({ outlet: z.string(), stock: z.array(stockLine) }) }
      }
    },
    async (request) => ({
      outlet: request.params.code,
      stock: await deps.outlets.setStock(request.params.code, request.body.parts)
    })
  )
  r.get(
    '/outlets/:code/stock',
    {
      preHandler: app.requireRole('planner', 'technician'),
      schema: {
        tags: ['plan'],
        params: codeParams,
        response: { 200: z.object({ outlet: z.string(), stock: z.array(stockLine) }) }
      }
    },
    async (request) => ({ outlet: request.params.code, stock: await deps.outlets.stock(request.params.code) })
  )

  r.get(
    '/outlets/:code/demand',
    {
      preHandler: app.requireRole('planner'),
      schema: {
        tags: ['plan'],
        description:
          "Per ISO week of the visit day and part number: what the outlet's open orders need, its stock, and the units to order that week (what the weeks up to it need beyond the stock, less what earlier weeks ordered; purchase orders are not tracked).",
        params: codeParams,
        response: {
          200: z.object({
            outlet: z.string(),
            demand: z.array(
              z.object({
                week: z.string().meta({ examples: ['2026-W50'] }),
                part: z.string().meta({ examples: ['pp_sediment'] }),
                partNumber: z.string().meta({ examples: ['PP-400-05'] }),
                quantity: z.number(),
                stock: z.number(),
                reorder: z.number()
              })
            )
          })
        }
      }
    },
    async (request) => ({
      outlet: request.params.code,
      demand: await deps.outlets.demand(request.params.code)
    })
  )

  r.post(
    '/orders/:id/complete',
    {
      preHandler: app.requireRole('technician'),
      schema: {
        tags: ['plan'],
        params: idParams,
        body: z
          .object({
            replacedParts: z.array(z.string().regex(/^[a-z0-9_]{1,64}$/)).max(20),
            firstVisitFix: z.boolean(),
            scores: z.object({ timeliness: score, quality: score, attitude: score }).optional(),
            complaint: complaintBody.optional(),
            note: z.string().max(2000).optional()
          })
          .strict(),
        response: { 200: orderSchema }
      }
    },
    async (request) => deps.service.complete(request.params.id, request.body, request.account?.name ?? null)
  )

  r.post(
    '/orders/:id/complaints',
    {
      preHandler: app.requireRole('planner'),
      schema: { tags: ['plan'], params: idParams, body: complaintBody, response: { 201: complaintSchema } }
    },
    async (request, reply) =>
      reply.code(201).send(await deps.service.complain(request.params.id, request.body))
  )
  r.get(
    '/complaints',
    {
      preHandler: app.requireRole('planner'),
      schema: {
        tags: ['plan'],
        querystring: z.object({ outlet: codeParam.optional(), month: monthSchema.optional() }),
        response: { 200: z.object({ complaints: z.array(complaintSchema) }) }
      }
    },
    async (request) => ({ complaints: await deps.records.complaints(request.query) })
  )
  r.get(
    '/run-outs',
    {
      preHandler: app.requireRole('planner'),
      schema: {
        tags: ['plan'],
        querystring: z.object({ month: monthSchema.optional() }),
        response: { 200: z.object({ runOuts: z.array(runOutSchema) }) }
      }
    },
    async (request) => ({ runOuts: await deps.records.runOuts(request.query) })
  )

  r.get(
    '/kpis',
    {
      preHandler: app.requireRole('planner'),
      schema: {
        tags: ['plan'],
        querystring: z.object({
          month: monthSchema.default(() => new Date().toISOString().slice(0, 7))
        }),
        response: { 200: kpisSchema }
      }
    },
    async (request) => ({
      month: request.query.month,
      outlets: (await deps.kpis(request.query.month)) as unknown as z.infer<typeof kpisSchema>['outlets']
    })
  )

  r.get(
    '/orders',
    {
      preHandler: app.requireRole('planner', 'technician'),
      schema: {
        tags: ['plan'],
        summary: 'orders by visit day, a page at a time',
        description:
          'Sorted by visit day (orders without one last), then id. `total` counts every order the filters match; `next` is the `cursor` of the following page (null on the last).',
        querystring: z.object({
          device: deviceIdSchema.optional(),
          status: listOf(ORDER_STATUSES)
            .optional()
            .describe('one or more, comma-separated: proposed,scheduled'),
          type: listOf(ORDER_TYPES)
            .optional()
            .describe('one or more, comma-separated: health_care,replacement'),
          outlet: codeParam.optional(),
          from: dayParam.optional().describe('visit day from (inclusive)'),
          to: dayParam.optional().describe('visit day to (inclusive)'),
          cursor: z
            .string()
            .regex(/^[A-Za-z0-9_-]{1,100}$/, 'a cursor from the previous page')
            .optional(),
          limit: z.coerce.number().int().min(1).max(5000).default(500)
        }),
        response: {
          200: z.object({ orders: z.array(orderSchema), total: z.number(), next: z.string().nullable() })
        }
      }
    },
    async (request) => {
      const q = request.query
      const filter = {
        deviceId: q.device,
        statuses: q.status,
        types: q.type,
        outlet: q.outlet,
        from: q.from,
        to: q.to
      }
      const orders = await deps.orders.list({
        ...filter,
        after: q.cursor ? readCursor(q.cursor) : undefined,
        limit: q.limit
      })
      const last = orders.at(-1)
      return {
        orders,
        total: await deps.orders.count(filter),
        next: orders.length === q.limit && last ? writeCursor({ visitDay: last.visitDay, id: last.id }) : null
      }
    }
  )
}

/** A comma-separated list of names from `names` (at least one). */
function listOf<T extends string>(names: readonly [T, ...T[]]) {
  return z
    .string()
    .transform((s) => s.split(',').map((x) => x.trim()))
    .pipe(z.array(z.enum(names)).min(1))
}

/** Where a page of orders ends: its last order's visit day and id, opaque to clients. */
function writeCursor(at: { visitDay: string | null; id: number }): string {
  return Buffer.from(`${at.visitDay ?? '-'}|${at.id}`).toString('base64url')
}

function readCursor(cursor: string): { visitDay: string | null; id: number } {
  const [day = '', id = ''] = Buffer.from(cursor, 'base64url').toString('utf8').split('|')
  if (!/^(\d{4}-\d{2}-\d{2}|-)$/.test(day) || !/^\d{1,15}$/.test(id))
    throw new AppError('PAYLOAD_INVALID', 'querystring.cursor: not a cursor from a previous page')
  return { visitDay: day === '-' ? null : day, id: Number(id) }
}
