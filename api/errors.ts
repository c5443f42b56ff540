import type { FastifyError, FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod'
import { isAppError } from '../shared/index.js'

/** One error handler: stable codes for clients, 5xx details only in the log. */
export const errorPlugin = fp(
  async (app: FastifyInstance) => {
    app.setErrorHandler((err: FastifyError, request, reply) => {
      if (hasZodFastifySchemaValidationErrors(err)) {
        const message = err.validation
          .map(
            (v) => `${err.validationContext ?? 'request'}${v.instancePath.replace(/\//g, '.')}: ${v.message}`
          )
          .join('; ')
        return reply.status(400).send({ code: 'VALIDATION', message })
      }
      if (isAppError(err) && err.httpStatus < 500) {
        // details: each issue by its path (a catalogue, an import), for clients that show them one by one
        return reply.status(err.httpStatus).send({
          code: err.code,
          message: err.message,
          ...(err.details === undefined ? {} : { details: err.details })
        })
      }
      if (err.statusCode && err.statusCode < 500) {
        return reply.status(err.statusCode).send({ code: err.code ?? 'BAD_REQUEST', message: err.message })
      }
      request.log.error({ err }, 'request failed')
      const status = isAppError(err) ? err.httpStatus : 500
      return reply.status(status).send({
        code: isAppError(err) ? err.code : 'INTERNAL',
        message: 'internal error; see the server log'
      })
    })
  },
  { name: 'aftercare-errors' }
)
