import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { canPublish, canSubscribe, type Identity } from '../../broker/index.js'
import type { Registry } from '../../registry/index.js'
import { deviceIdSchema, isAppError } from '../../shared/index.js'

const result = z.enum(['allow', 'deny', 'ignore'])

/** How long an authorisation answer's device lookup is reused (a client publishes many times a minute). */
const DEVICE_CACHE_MS = 5000
/** A shared subscription's filter is checked without its `$share/<group>/` prefix. */
const SHARED = /^\$share\/[^/]+\//

/**
 * EMQX's HTTP authenticator and authoriser, answering in the shape EMQX documents (status 200, JSON
 * `{"result": "allow" | "deny" | "ignore"}`): devices connect as themselves (client id = username =
 * device id, password = its secret — checked against the registry's cache first, so a reconnect storm
 * costs no hash), publish only their own telemetry and events and subscribe only to their own commands;
 * service accounts connect as `svc:<name>` with their token and get what their MQTT roles allow (the
 * consumer: `mqtt-read`). Usernames that are neither are `ignore`d, for EMQX's next authenticator.
 */
export async function brokerAuthRoutes(app: FastifyInstance, deps: { registry: Registry }): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>()
  const { registry } = deps
  const known = new Map<string, { at: number; identity: Identity | undefined }>()

  /** The identity behind a username, for authorisation (no password there): a device or a service account. */
  const identityOf = async (username: string): Promise<Identity | undefined> => {
    const cached = known.get(username)
    if (cached && Date.now() - cached.at < DEVICE_CACHE_MS) return cached.identity
    let identity: Identity | undefined
    if (username.startsWith('svc:')) {
      const account = await registry.accountNamed(username.slice(4))
      identity = account && { type: 'service', name: account.name, roles: account.roles }
    } else if (deviceIdSchema.safeParse(username).success) {
      const device = await registry.getDevice(username).catch((err: unknown) => {
        if (isAppError(err, 'DEVICE_NOT_FOUND')) return undefined
        throw err
      })
      identity = device && !device.disabled ? { type: 'device', device } : undefined
    }
    if (known.size > 100000) known.clear()
    known.set(username, { at: Date.now(), identity })
    return identity
  }

  r.post(
    '/broker/authn',
    {
      preHandler: app.requireRole('mqtt-auth'),
      schema: {
        tags: ['operations'],
        description:
          'EMQX HTTP authentication; request body `{"clientid": "${clientid}", "username": "${username}", "password": "${password}"}`.',
        body: z.object({
          clientid: z.string().max(256),
          username: z.string().max(256).default(''),
          password: z.string().max(1024).default('')
        }),
        response: { 200: z.object({ result, is_superuser: z.boolean() }) }
      }
    },
    async (request) => {
      const { clientid, username, password } = request.body
      const answer = (value: z.infer<typeof result>) => ({ result: value, is_superuser: false })
      if (username.startsWith('svc:')) {
        const account = await registry.authenticateToken(password)
        return answer(account && account.name === username.slice(4) ? 'allow' : 'deny')
      }
      if (!deviceIdSchema.safeParse(username).success) return answer('ignore')
      // [device contract] client id = username = device id
      if (clientid !== username) return answer('deny')
      const device = await registry.authenticateDevice(username, password).catch((err: unknown) => {
        if (isAppError(err, 'FORBIDDEN')) return null // disabled
        throw err
      })
      if (device) return answer('allow')
      if (device === null) return answer('deny')
      // a wrong secret for a registered device is refused; an id nobody registered is not ours to judge
      return answer((await identityOf(username)) ? 'deny' : 'ignore')
    }
  )

  r.post(
    '/broker/authz',
    {
      preHandler: app.requireRole('mqtt-auth'),
      schema: {
        tags: ['operations'],
        description:
          'EMQX HTTP authorisation; request body `{"clientid": "${clientid}", "username": "${username}", "topic": "${topic}", "action": "${action}"}`.',
        body: z.object({
          clientid: z.string().max(256).default(''),
          username: z.string().max(256).default(''),
          topic: z.string().min(1).max(65535),
          action: z.enum(['publish', 'subscribe', 'all'])
        }),
        response: { 200: z.object({ result }) }
      }
    },
    async (request) => {
      const { username, topic, action } = request.body
      const identity = await identityOf(username)
      if (!identity) return { result: 'ignore' as const }
      const filter = topic.replace(SHARED, '')
      const mayPublish =
        identity.type === 'device'
          ? topic === `devices/${identity.device.id}/telemetry` ||
            topic === `devices/${identity.device.id}/events`
          : canPublish(identity, topic)
      // a shared subscription is for services only: a device never shares its own commands
      const maySubscribe =
        !(identity.type === 'device' && SHARED.test(topic)) && canSubscribe(identity, filter)
      const allowed =
        action === 'publish' ? mayPublish : action === 'subscribe' ? maySubscribe : mayPublish && maySubscribe
      return { result: allowed ? ('allow' as const) : ('deny' as const) }
    }
  )
}
