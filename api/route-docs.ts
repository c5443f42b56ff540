import type { FastifyInstance, RouteOptions } from 'fastify'
import fp from 'fastify-plugin'
import { z } from 'zod'

/** The one error shape every 4xx and 5xx answer has. */
export const errorSchema = z
  .object({
    code: z.string().meta({ examples: ['VALIDATION', 'ORDER_TRANSITION'] }),
    message: z.string().meta({ examples: ['querystring.from: a day that exists, YYYY-MM-DD'] }),
    details: z.unknown().optional().describe('each issue by its path, where there are several')
  })
  .describe('an error: a stable code and a message that says what was wrong and where')

const MEANING: Record<number, string> = {
  400: 'the input is not valid: the message names the field',
  401: 'no bearer token or console session, or one that is not valid',
  403: "the account lacks the role, or a console write lacks its session's CSRF token",
  404: 'not found',
  409: 'the state does not allow it (the message says why)',
  423: 'the account is locked after repeated wrong passwords',
  503: 'a store is down'
}

/** A route's roles, as its preHandler (`requireRole`) states them. */
export interface RoleGate {
  roles?: readonly string[]
}

/**
 * Completes every route's OpenAPI description from what the route already declares: the roles its
 * preHandler admits (in the description and as 401/403), 400 when it takes input, and the errors
 * `OPERATIONS` lists for it (404, 409 …), each with the one error schema, with its summary and resource
 * tag — so no operation is documented without its roles or its errors.
 */
export const routeDocs = fp(
  async (app: FastifyInstance) => {
    app.addHook('onRoute', (route: RouteOptions) => {
      if (route.url.startsWith('/docs') || !route.schema) return
      const schema = route.schema as Record<string, unknown> & { response?: Record<string, unknown> }
      // a GET's HEAD twin shares the schema: completed once
      if (typeof schema.description === 'string' && schema.description.includes('Roles: ')) return
      const methods = ([] as string[]).concat(route.method)
      const known = OPERATIONS[`${methods.find((m) => m !== 'HEAD') ?? methods[0]} ${route.url}`]
      if (known) {
        schema.summary ??= known.summary
        schema.tags = [known.tag]
      }
      const gates = ([] as unknown[]).concat(route.preHandler ?? []) as RoleGate[]
      const roles = gates.flatMap((g) => g.roles ?? [])
      const errors = new Set<number>(known?.errors ?? [])
      if (schema.body || schema.querystring || schema.params) errors.add(400)
      if (roles.length > 0) errors.add(401).add(403)
      const who =
        roles.length > 0
          ? `Roles: ${[...new Set(['admin', ...roles])].join(', ')}.`
          : 'Roles: none (no token needed).'
      schema.description = [schema.description, who].filter(Boolean).join('\n\n')
      if (roles.length === 0) schema.security = []
      schema.response = { ...(schema.response ?? {}) }
      for (const status of errors)
        schema.response[status] ??= errorSchema.describe(`${MEANING[status] ?? 'refused'}`)
    })
  },
  { name: 'aftercare-route-docs' }
)

/**
 * Each operation's one-line summary, the resource it is grouped under, and the errors it answers
 * beyond input (400) and roles (401/403) — the OpenAPI page reads as a table of contents.
 */
export const OPERATIONS: Record<string, { summary: string; tag: string; errors?: number[] }> = {
  'GET /health': { summary: 'whether every store and the broker answer', tag: 'pipeline' },
  'GET /pipeline/stats': { summary: "this node's ingest, writer and broker counters", tag: 'pipeline' },
  'GET /dead-letters': {
    summary: 'what could not be stored, newest first, a page at a time',
    tag: 'pipeline'
  },
  'GET /dead-letters/:id': {
    summary: 'one dead letter with its whole payload',
    tag: 'pipeline',
    errors: [404]
  },
  'POST /accounts': {
    summary: 'create a service account (its token is shown once)',
    tag: 'accounts',
    errors: [409]
  },
  'POST /accounts/:name/disable': { summary: 'disable a service account', tag: 'accounts', errors: [404] },
  'POST /accounts/:name/enable': { summary: 'enable a service account', tag: 'accounts', errors: [404] },
  'POST /accounts/:name/token': {
    summary: "rotate a service account's token",
    tag: 'accounts',
    errors: [404]
  },
  'POST /devices': {
    summary: 'provision a device (its secret is shown once)',
    tag: 'devices',
    errors: [409]
  },
  'POST /devices/import': { summary: 'import a fleet (up to 10,000 rows a request)', tag: 'devices' },
  'GET /devices': { summary: 'list devices', tag: 'devices' },
  'GET /devices/:id': {
    summary: 'one device (its site for those who may see it)',
    tag: 'devices',
    errors: [404]
  },
  'POST /devices/:id/secret': {
    summary: "rotate a device's secret (shown once)",
    tag: 'devices',
    errors: [404]
  },
  'POST /devices/:id/disable': {
    summary: 'disable a device and end its session',
    tag: 'devices',
    errors: [404]
  },
  'POST /devices/:id/enable': {
    summary: 'let a disabled device connect again',
    tag: 'devices',
    errors: [404]
  },
  'GET /devices/:id/telemetry': {
    summary: "a device's readings by hour, its usage forecast and its faults",
    tag: 'devices',
    errors: [404]
  },
  'POST /broker/authn': {
    summary: 'EMQX HTTP authentication: may this client connect?',
    tag: 'operations'
  },
  'POST /broker/authz': {
    summary: 'EMQX HTTP authorisation: may this client publish or subscribe here?',
    tag: 'operations'
  },
  'POST /session': { summary: 'sign in to the console', tag: 'people', errors: [423] },
  'GET /session': { summary: 'who is signed in, and the CSRF token', tag: 'people' },
  'DELETE /session': { summary: 'sign out', tag: 'people' },
  'POST /users': {
    summary: 'add a person (a password is made when none is given)',
    tag: 'people',
    errors: [409]
  },
  'GET /users': { summary: "the console's people", tag: 'people' },
  'POST /users/:name/password': {
    summary: "set a person's password (ends their sessions)",
    tag: 'people',
    errors: [404]
  },
  'POST /users/:name/disable': {
    summary: 'disable a person and end their sessions',
    tag: 'people',
    errors: [404]
  },
  'POST /users/:name/enable': {
    summary: 'let a disabled person sign in again',
    tag: 'people',
    errors: [404]
  },
  'GET /devices/:id/health': { summary: "each component's used share and expected end", tag: 'devices' },
  'GET /catalogue': {
    summary: 'the catalogue in use, or one stored version',
    tag: 'catalogue',
    errors: [404]
  },
  'GET /catalogue/versions': { summary: 'every stored version, newest first', tag: 'catalogue' },
  'GET /catalogue/schema': { summary: 'the JSON Schema of a catalogue document', tag: 'catalogue' },
  'POST /catalogue/validate': { summary: 'check a catalogue document without storing it', tag: 'catalogue' },
  'PUT /catalogue': { summary: 'import a catalogue as the next version', tag: 'catalogue', errors: [409] },
  'POST /plan/run': { summary: 'run the planning pass now', tag: 'plan', errors: [409] },
  'GET /plan': { summary: 'visits per outlet and day against capacity', tag: 'plan' },
  'GET /orders': { summary: 'orders by visit day, a page at a time', tag: 'orders' },
  'GET /orders/:id': { summary: 'one order', tag: 'orders', errors: [404] },
  'POST /orders/:id/transition': {
    summary: 'schedule, dispatch or cancel an order',
    tag: 'orders',
    errors: [404, 409]
  },
  'POST /orders/:id/reschedule': {
    summary: 'move a scheduled visit to another day',
    tag: 'orders',
    errors: [404, 409]
  },
  'POST /orders/:id/complete': {
    summary: 'record a dispatched visit as done',
    tag: 'orders',
    errors: [404, 409]
  },
  'POST /orders/:id/complaints': {
    summary: "record a customer's complaint about a done order",
    tag: 'quality',
    errors: [404, 409]
  },
  'GET /complaints': { summary: 'complaints by outlet and month', tag: 'quality' },
  'GET /run-outs': { summary: 'parts found past their limit, and the outlet charged', tag: 'quality' },
  'GET /kpis': { summary: "each outlet's KPIs and supervision for a month", tag: 'quality' },
  'PUT /outlets/:code': { summary: 'add or change a service outlet', tag: 'outlets' },
  'GET /outlets': { summary: 'the service outlets', tag: 'outlets' },
  'PUT /outlets/:code/stock': {
    summary: 'set the spare parts an outlet holds',
    tag: 'outlets',
    errors: [404]
  },
  'GET /outlets/:code/demand': {
    summary: "the parts an outlet's orders need per week, and what to order",
    tag: 'outlets'
  },
  'GET /outlets/:code/stock': {
    summary: "an outlet's spare parts: on the shelf, set aside, free",
    tag: 'outlets'
  }
}
