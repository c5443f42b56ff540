import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { AppError } from '../shared/index.js'
import type { Role, ServiceAccount } from '../registry/index.js'

declare module 'fastify' {
  interface FastifyRequest {
    account?: ServiceAccount
  }
  interface FastifyInstance {
    /** A preHandler that lets in a bearer token whose account holds one of `roles` (admin always). */
    requireRole(...roles: Role[]): (request: FastifyRequest, reply: FastifyReply) => Promise<void>
  }
}

export interface TokenVerifier {
  authenticateToken(token: string): Promise<ServiceAccount | undefined>
}

/** Bearer-token authentication with roles; there is no anonymous write access. */
export const authPlugin = fp(
  async (app: FastifyInstance, opts: { verifier: TokenVerifier }) => {
    app.decorateRequest('account', undefined)
    app.decorate('requireRole', (...roles: Role[]) => {
      // the roles ride on the handler, so the route's OpenAPI description can state them
      return Object.assign(gate(roles), { roles })
    })
    const gate = (roles: Role[]) => async (request: FastifyRequest) => {
      const header = request.headers.authorization ?? ''
      const match = /^Bearer\s+(\S+)$/i.exec(header)
      if (!match?.[1])
        throw new AppError('UNAUTHENTICATED', 'a bearer token is required (Authorization: Bearer <token>)')
      const account = await opts.verifier.authenticateToken(match[1])
      if (!account) throw new AppError('UNAUTHENTICATED', 'the bearer token is not valid')
      if (!account.roles.includes('admin') && !roles.some((r) => account.roles.includes(r))) {
        throw new AppError(
          'FORBIDDEN',
          `this needs one of the roles: ${[...new Set(['admin', ...roles])].join(', ')}`
        )
      }
      request.account = account
    }
  },
  { name: 'aftercare-auth' }
)
