import type { FastifyInstance, FastifyReply } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import {
  USER_ROLES,
  generatePassword,
  passwordSchema,
  userNameSchema,
  type People
} from '../../registry/index.js'
import { AppError } from '../../shared/index.js'
import { SESSION_COOKIE } from '../auth.js'
import { codeParam } from '../params.js'

const userSchema = z.object({
  name: z.string().meta({ examples: ['li-wei'] }),
  role: z.enum(USER_ROLES),
  outlet: z.string().nullable().describe('the outlet the person works for; null = every outlet'),
  disabled: z.boolean(),
  lockedUntil: z.string().nullable().describe('locked after repeated wrong passwords until then')
})

const sessionSchema = z.object({
  user: z.object({ name: z.string(), role: z.string(), outlet: z.string().nullable() }),
  csrf: z.string().describe('send it back in the x-csrf-token header with every write of this session')
})

export interface PeopleDeps {
  people: People
  /** Known outlet codes: a person is bound to an outlet that exists. */
  outletExists: (code: string) => Promise<boolean>
}

/** Console sign-in and sign-out, and people's accounts (admins manage them). */
export async function peopleRoutes(app: FastifyInstance, deps: PeopleDeps): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>()
  const { people } = deps

  r.post(
    '/session',
    {
      schema: {
        tags: ['people'],
        description:
          'Sets the httpOnly, SameSite=Strict session cookie. Wrong passwords in a row lock the account for a while (423 USER_LOCKED, logged); an unknown name and a wrong password get the same 401.',
        security: [],
        body: z.object({ name: z.string().max(64), password: z.string().max(200) }).strict(),
        response: { 200: sessionSchema }
      }
    },
    async (request, reply) => {
      const { name, password } = request.body
      const result = await people.signIn(name, password)
      if (!result.ok) {
        if (result.why === 'locked-now')
          request.log.warn(
            { user: name, address: request.ip },
            'console account locked after repeated wrong passwords'
          )
        else request.log.info({ user: name, address: request.ip, why: result.why }, 'console sign-in refused')
        if (result.why === 'wrong') throw new AppError('UNAUTHENTICATED', 'the name or the password is wrong')
        throw new AppError(
          'USER_LOCKED',
          `too many wrong passwords: the account is locked until ${result.lockedUntil ?? 'later'}`
        )
      }
      request.log.info({ user: name, address: request.ip }, 'console sign-in')
      setSessionCookie(reply, result.sessionId)
      const { user } = result
      return { user: { name: user.name, role: user.role, outlet: user.outlet }, csrf: result.csrf }
    }
  )

  r.get(
    '/session',
    {
      preHandler: app.requireRole('planner', 'technician'),
      schema: { tags: ['people'], response: { 200: sessionSchema } }
    },
    async (request) => {
      const cookie = request.cookies[SESSION_COOKIE]
      const session = cookie ? await people.session(cookie) : undefined
      if (!session) throw new AppError('UNAUTHENTICATED', 'not signed in to the console')
      const { account } = session
      return {
        user: { name: account.name, role: account.roles[0] ?? 'technician', outlet: account.outlet },
        csrf: session.csrf
      }
    }
  )

  r.delete(
    '/session',
    {
      preHandler: app.requireRole('planner', 'technician'),
      schema: { tags: ['people'], response: { 204: z.null() } }
    },
    async (request, reply) => {
      const cookie = request.cookies[SESSION_COOKIE]
      if (cookie) await people.signOut(cookie)
      reply.clearCookie(SESSION_COOKIE, { path: '/' })
      return reply.code(204).send(null)
    }
  )

  r.post(
    '/users',
    {
      preHandler: app.requireRole('admin'),
      schema: {
        tags: ['people'],
        description: 'Without a password one is generated and returned once.',
        body: z
          .object({
            name: userNameSchema,
            role: z.enum(USER_ROLES),
            outlet: codeParam.optional(),
            password: passwordSchema.optional()
          })
          .strict(),
        response: { 201: z.object({ user: userSchema, password: z.string().optional() }) }
      }
    },
    async (request, reply) => {
      const { name, role, outlet, password } = request.body
      if (outlet !== undefined && !(await deps.outletExists(outlet)))
        throw new AppError(
          'PAYLOAD_INVALID',
          `outlet: unknown outlet ${outlet} (add it first: aftercare outlets add)`
        )
      const chosen = password ?? generatePassword()
      const user = await people.add({ name, role, outlet: outlet ?? null }, chosen)
      return reply.code(201).send({ user, ...(password === undefined ? { password: chosen } : {}) })
    }
  )

  r.get(
    '/users',
    {
      preHandler: app.requireRole('admin'),
      schema: { tags: ['people'], response: { 200: z.object({ users: z.array(userSchema) }) } }
    },
    async () => ({ users: await people.list() })
  )

  r.post(
    '/users/:name/password',
    {
      preHandler: app.requireRole('admin'),
      schema: {
        tags: ['people'],
        params: z.object({ name: userNameSchema }),
        body: z.object({ password: passwordSchema.optional() }).strict(),
        response: { 200: z.object({ password: z.string().optional() }) }
      }
    },
    async (request) => {
      const chosen = request.body.password ?? generatePassword()
      await people.setPassword(request.params.name, chosen)
      return request.body.password === undefined ? { password: chosen } : {}
    }
  )

  for (const [action, disabled] of [
    ['disable', true],
    ['enable', false]
  ] as const) {
    r.post(
      `/users/:name/${action}`,
      {
        preHandler: app.requireRole('admin'),
        schema: {
          tags: ['people'],
          params: z.object({ name: userNameSchema }),
          response: { 204: z.null() }
        }
      },
      async (request, reply) => {
        await people.setDisabled(request.params.name, disabled)
        return reply.code(204).send(null)
      }
    )
  }
}

function setSessionCookie(reply: FastifyReply, sessionId: string): void {
  // secure when the request came over TLS (a proxy in front sets X-Forwarded-Proto with trustProxy)
  reply.setCookie(SESSION_COOKIE, sessionId, {
    path: '/',
    httpOnly: true,
    sameSite: 'strict',
    secure: 'auto'
  })
}
