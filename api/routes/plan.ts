import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { deviceIdSchema } from '../../shared/index.js'
import { codeParam, dayParam } from '../params.js'
import { listOf, readCursor, writeCursor } from '../order-cursor.js'
import { outletFilter, ownOrder as visible } from '../outlet-scope.js'
import { maySeeSite, siteSchema, type Site } from '../../registry/index.js'
import { complaintBody, idParams, score } from './shapes.js'
import { planSchema, planSummarySchema } from '../responses.js'
import {
  ORDER_STATUSES,
  ORDER_TYPES,
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
    .nullable(),
  site: siteSchema
    .nullable()
    .optional()
    .describe('the customer site (personal data), with `sites=true` and only to accounts that may read it')
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
  /** The customer sites of devices, for accounts that may read them. */
  sites: (deviceIds: readonly string[]) => Promise<Map<string, Site>>
}

/** The planning pass on demand, and the orders it proposes. */
export async function planRoutes(app: FastifyInstance, deps: PlanDeps): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>()
  // an order of another outlet answers as a missing one to an account bound to an outlet
  const ownOrder = async (request: FastifyRequest, id: number) =>
    visible(request.account, await deps.orders.get(id))

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
      const outlet = outletFilter(request.account, request.query.outlet)
      const days = await deps.outlets.load(from, to, deps.defaultCapacity, outlet)
      return { from, to, days: days.map((d) => ({ ...d, over: d.visits > d.capacity })) }
    }
  )

  r.get(
    '/orders/:id',
    {
      preHandler: app.requireRole('planner', 'technician'),
      schema: { tags: ['plan'], summary: 'one order', params: idParams, response: { 200: orderSchema } }
    },
    async (request) => ownOrder(request, request.params.id)
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
      ownOrder(request, request.params.id).then(() =>
        deps.service.move(
          request.params.id,
          request.body.to,
          request.account?.name ?? 'unknown',
          request.body.note,
          request.body.technician
        )
      )
  )

  r.post(
    '/orders/:id/reschedule',
    {
      preHandler: app.requireRole('planner'),
      schema: {
        tags: ['plan'],
        params: idParams,
        body: z
          .object({
            visitDay: dayParam,
            note: z.string().max(2000).default(''),
            schedule: z
              .boolean()
              .default(false)
              .describe(
                'a proposed visit is scheduled on that day in the same step (refused: nothing changes)'
              )
          })
          .strict(),
        response: { 200: orderSchema }
      }
    },
    async (request) =>
      ownOrder(request, request.params.id).then(() =>
        deps.service.reschedule(
          request.params.id,
          request.body.visitDay,
          request.account?.name ?? 'unknown',
          request.body.note,
          request.body.schedule
        )
      )
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
    async (request) => {
      await ownOrder(request, request.params.id)
      return deps.service.complete(request.params.id, request.body, request.account?.name ?? null)
    }
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
          atRisk: z
            .stringbool()
            .optional()
            .describe('only orders whose part runs out before the visit (true)'),
          cursor: z
            .string()
            .regex(/^[A-Za-z0-9_-]{1,100}$/, 'a cursor from the previous page')
            .optional(),
          limit: z.coerce.number().int().min(1).max(5000).default(500),
          sites: z
            .stringbool()
            .default(false)
            .describe('add each device’s customer site, where the account may read it')
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
        outlet: outletFilter(request.account, q.outlet),
        from: q.from,
        to: q.to,
        atRisk: q.atRisk
      }
      const orders = await deps.orders.list({
        ...filter,
        after: q.cursor ? readCursor(q.cursor) : undefined,
        limit: q.limit
      })
      const last = orders.at(-1)
      const visible = q.sites ? orders.filter((o) => maySeeSite(request.account, o.outlet)) : []
      const sites =
        visible.length > 0 ? await deps.sites([...new Set(visible.map((o) => o.deviceId))]) : undefined
      return {
        orders: sites
          ? orders.map((o) =>
              maySeeSite(request.account, o.outlet) ? { ...o, site: sites.get(o.deviceId) ?? null } : o
            )
          : orders,
        total: await deps.orders.count(filter),
        next: orders.length === q.limit && last ? writeCursor({ visitDay: last.visitDay, id: last.id }) : null
      }
    }
  )
}
