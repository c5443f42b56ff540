import fastifyCookie from '@fastify/cookie'
import fastifySwagger from '@fastify/swagger'
import fastifySwaggerUi from '@fastify/swagger-ui'
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply
} from 'fastify'
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod'
import type { Catalogues } from '../maintenance/index.js'
import type { Logger } from '../shared/index.js'
import { authPlugin } from './auth.js'
import { errorPlugin } from './errors.js'
import { routeDocs } from './route-docs.js'
import { adminRoutes, type AdminDeps } from './routes/admin.js'
import { brokerAuthRoutes } from './routes/broker-auth.js'
import { catalogueRoutes } from './routes/catalogue.js'
import { consoleRoutes } from './console.js'
import { devicePageRoutes, type DevicePageDeps } from './routes/device-page.js'
import { peopleRoutes, type PeopleDeps } from './routes/people.js'
import { deviceRoutes } from './routes/devices.js'
import { outletRoutes } from './routes/outlets.js'
import { planRoutes, type PlanDeps } from './routes/plan.js'
import { qualityRoutes } from './routes/quality.js'

export type ApiDeps = AdminDeps &
  PlanDeps &
  DevicePageDeps &
  PeopleDeps & {
    catalogues: Catalogues
    /** Where the console's built files are (dist/console); no console when absent. */
    consoleDir?: string
  }

/** Builds the HTTP API (not listening yet): OpenAPI at /docs, bearer tokens and console sessions with roles, the console at /console. */
export async function buildApi(deps: ApiDeps, logger: Logger): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: logger.child({ component: 'api' }) as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    // errors the router raises before any route runs keep the one error shape (and never echo the input)
    frameworkErrors: (error, _request, reply) =>
      void (reply as FastifyReply).status(error.statusCode ?? 400).send({
        code: error.code,
        message:
          error.code === 'FST_ERR_MAX_PARAM_LENGTH'
            ? 'params: a path value is longer than 100 characters'
            : 'the request could not be routed'
      })
  })
  app.setValidatorCompiler(validatorCompiler)
  app.setSerializerCompiler(serializerCompiler)
  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: 'aftercare',
        description: 'Devices, telemetry pipeline and service operations',
        version: '0.1.0'
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }]
    },
    transform: jsonSchemaTransform
  })
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' })
  await app.register(errorPlugin)
  await app.register(routeDocs)
  await app.register(fastifyCookie)
  await app.register(authPlugin, { verifier: deps.registry, sessions: deps.people })
  await app.register(adminRoutes, deps)
  await app.register(deviceRoutes, { registry: deps.registry })
  await app.register(catalogueRoutes, { catalogues: deps.catalogues })
  await app.register(outletRoutes, { outlets: deps.outlets })
  await app.register(qualityRoutes, {
    service: deps.service,
    records: deps.records,
    kpis: deps.kpis,
    orders: deps.orders
  })
  await app.register(devicePageRoutes, {
    device: deps.device,
    deviceHealth: deps.deviceHealth,
    deviceReadings: deps.deviceReadings
  })
  await app.register(brokerAuthRoutes, { registry: deps.registry })
  await app.register(peopleRoutes, { people: deps.people, outletExists: deps.outletExists })
  if (deps.consoleDir) await app.register(consoleRoutes, { dir: deps.consoleDir })
  await app.register(planRoutes, {
    orders: deps.orders,
    runPlan: deps.runPlan,
    service: deps.service,
    kpis: deps.kpis,
    outlets: deps.outlets,
    records: deps.records,
    defaultCapacity: deps.defaultCapacity,
    sites: deps.sites
  })
  return app
}
