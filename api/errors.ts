import type { FastifyError, FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod'
import { AppError, isAppError } from '../shared/index.js'

/** One error handler: stable codes for clients, 5xx details only in the log. */
export const errorPlugin = fp(
  async (app: FastifyInstance) => {
    // one shape for every error, a missing route included
    app.setNotFoundHandler((request, reply) =>
      reply
        .status(404)
        .send({ code: 'NOT_FOUND', message: `no route ${request.method} ${request.url.split('?')[0]}` })
    )
    // JSON bodies: a key that would reach an object's prototype is refused by name (fastify's own parser
    // says only that the body is not valid JSON)
    app.removeContentTypeParser('application/json')
    app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
      const text = String(body)
      if (text.trim() === '')
        return done(new AppError('PAYLOAD_INVALID', 'body: a JSON body is required'), undefined)
      try {
        done(
          null,
          JSON.parse(text, (key, value: unknown) => {
            if (
              key === '__proto__' ||
              (key === 'constructor' && typeof value === 'object' && value !== null && 'prototype' in value)
            )
              throw new AppError(
                'PAYLOAD_INVALID',
                `body: the key ${key === '__proto__' ? '__proto__' : 'constructor.prototype'} is refused`
              )
            return value
          })
        )
      } catch (err) {
        done(
          isAppError(err)
            ? err
            : new AppError('PAYLOAD_INVALID', `body is not valid JSON: ${(err as Error).message}`),
          undefined
        )
      }
    })
    app.setErrorHandler((err: FastifyError, request, reply) => {
      if (hasZodFastifySchemaValidationErrors(err)) {
        const message = err.validation
          .map(
            (v) =>
              `${`${err.validationContext ?? 'request'}${v.instancePath.replace(/\//g, '.')}`.replace(/\.$/, '')}: ${v.message}`
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
