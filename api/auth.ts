import { timingSafeEqual } from 'node:crypto'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { AppError } from '../shared/index.js'
import type { Role, ServiceAccount } from '../registry/index.js'

declare module 'fastify' {
  interface FastifyRequest {
    account?: ServiceAccount
  }
  interface FastifyInstance {
    /**
     * A preHandler that lets in a bearer token, or a console session, whose account holds one of
     * `roles` (admin always).
     */
    requireRole(...roles: Role[]): (request: FastifyRequest, reply: FastifyReply) => Promise<void>
  }
}

export interface TokenVerifier {
  authenticateToken(token: string): Promise<ServiceAccount | undefined>
}

export interface SessionVerifier {
  session(sessionId: string): Promise<{ account: ServiceAccount; csrf: string } | undefined>
}

/** The console's session cookie and the header every write from a session must carry. */
export const SESSION_COOKIE = 'aftercare_session'
export const CSRF_HEADER = 'x-csrf-token'

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

/**
 * Bearer tokens (scripts, tools) and console sessions (people), both with roles; there is no anonymous
 * access. A session's writes must repeat its CSRF token in a header, which another site's page cannot
 * read or set (the cookie itself is SameSite=Strict and httpOnly as well).
 */
export const authPlugin = fp(
  async (app: FastifyInstance, opts: { verifier: TokenVerifier; sessions?: SessionVerifier }) => {
    app.decorateRequest('account', undefined)
    app.decorate('requireRole', (...roles: Role[]) => {
      // the roles ride on the handler, so the route's OpenAPI description can state them
      return Object.assign(gate(roles), { roles })
    })
    const authenticate = async (request: FastifyRequest): Promise<ServiceAccount> => {
      const header = request.headers.authorization
      if (header !== undefined) {
        const match = /^Bearer\s+(\S+)$/i.exec(header)
        if (!match?.[1])
          throw new AppError('UNAUTHENTICATED', 'a bearer token is required (Authorization: Bearer <token>)')
        const account = await opts.verifier.authenticateToken(match[1])
        if (!account) throw new AppError('UNAUTHENTICATED', 'the bearer token is not valid')
        return account
      }
      const cookie = request.cookies?.[SESSION_COOKIE]
      if (cookie && opts.sessions) {
        const session = await opts.sessions.session(cookie)
        if (!session) throw new AppError('UNAUTHENTICATED', 'the session has ended; sign in again')
        if (!SAFE_METHODS.has(request.method) && !sameToken(request.headers[CSRF_HEADER], session.csrf))
          throw new AppError('CSRF', `a write from the console needs the session's ${CSRF_HEADER} header`)
        return session.account
      }
      throw new AppError(
        'UNAUTHENTICATED',
        'a bearer token (Authorization: Bearer <token>) or a console session is required'
      )
    }
    const gate = (roles: Role[]) => async (request: FastifyRequest) => {
      const account = await authenticate(request)
      if (!account.roles.includes('admin') && !roles.some((r) => account.roles.includes(r))) {
        throw new AppError(
          'FORBIDDEN',
          `this needs one of the roles: ${[...new Set(['admin', ...roles])].join(', ')}`
        )
      }
      request.account = account
    }
  },
  { name: 'aftercare-auth', dependencies: ['@fastify/cookie'] }
)

function sameToken(given: string | string[] | undefined, expected: string): boolean {
  if (typeof given !== 'string') return false
  const [a, b] = [Buffer.from(given), Buffer.from(expected)]
  return a.length === b.length && timingSafeEqual(a, b)
}
