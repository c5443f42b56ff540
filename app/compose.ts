import { readFileSync } from 'node:fs'
import os from 'node:os'
import type { FastifyInstance } from 'fastify'
import { buildApi, consoleDir } from '../api/index.js'
import { Broker, sessionBackend, type BrokerConsumer } from '../broker/index.js'
import {
  Ingest,
  InfluxWriter,
  SqlDeadLetterStore,
  createLineSender,
  deadLetterMigrations,
  startPipelineMetrics
} from '../ingest/index.js'
import { People, Registry, SqlAccountStore, SqlDeviceStore, registryMigrations } from '../registry/index.js'
import {
  LiveRules,
  liveRuleHandler,
  SqlOrderStore,
  SqlOutletStore,
  SqlServiceRecords,
  orderMigrations,
  outletMigrations,
  outletKpis,
  planLeaseMigrations,
  readKpiInput,
  deviceHealth,
  deviceReadings,
  Catalogues,
  SqlCatalogueStore,
  deviceIssues,
  faultOf,
  modelOf,
  planRunner,
  ServiceOrders,
  suspendedOutlets
} from '../maintenance/index.js'
import { systemClock, type Clock, type Config, type Logger } from '../shared/index.js'
import { InfluxQueryClient, migrate, openSql, type SqlClient } from '../stores/index.js'
import { lockDataDir, writeEndpoints, type Endpoints } from './data-dir.js'
import { connectDynsec, publicBrokerUrl, startIngestConsumer } from './ingest-consumer.js'
import { makePrivate, setPrivateUmask, warnIfReadable } from './private-files.js'
import {
  allDevices,
  ensureAdmin,
  health,
  openInflux,
  pipelineFields,
  schedulePlanning,
  sessionStore,
  storedSamplesReader
} from './start-helpers.js'

/** How often a node looks for a catalogue another node imported (besides before each pass). */
const CATALOGUE_REFRESH_MS = 30000

/** A running aftercare: every role in one process, and how to stop it. */
export interface Aftercare {
  endpoints: Endpoints
  registry: Registry
  broker: Broker
  ingest: Ingest
  writer: InfluxWriter
  influx: InfluxQueryClient
  sql: SqlClient
  api: FastifyInstance
  catalogues: Catalogues
  /** Subscriber-mode ingest, when INGEST_BROKER_URL names an existing broker. */
  consumer?: BrokerConsumer
  outlets: SqlOutletStore
  /** The first admin token, when this start created it. */
  createdAdminToken?: string
  stop(): Promise<void>
}

/**
 * The composition root: opens the stores (starting a local influxd and PGlite
 * when no server is configured), runs migrations, and wires registry, broker,
 * ingest gate and HTTP API together.
 */
export async function startAftercare(
  config: Config,
  log: Logger,
  clock: Clock = systemClock
): Promise<Aftercare> {
  const dataDir = config.AFTERCARE_DATA_DIR
  const cleanups: (() => Promise<void> | void)[] = []
  const stopAll = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) {
      await Promise.resolve(cleanup()).catch((err: Error) =>
        log.error({ err: err.message }, 'error while stopping')
      )
    }
  }
  try {
    // the embedded stores are private to the user running aftercare: what it creates is 0600 / 0700
    // (PGlite, influxd and the broker's sessions create their files with the process's umask)
    setPrivateUmask()
    const lock = lockDataDir(dataDir)
    makePrivate(dataDir)
    cleanups.push(() => lock.release())

    // the two stores start in parallel (PGlite's start is the longest step); whichever
    // opened is stopped again if the other failed
    const [influxOpened, sqlOpened] = await Promise.allSettled([
      openInflux(config, dataDir, log, cleanups),
      openSql({ databaseUrl: config.DATABASE_URL, dataDir })
    ])
    if (sqlOpened.status === 'fulfilled') cleanups.push(() => sqlOpened.value.close())
    if (influxOpened.status === 'rejected') throw influxOpened.reason
    if (sqlOpened.status === 'rejected') throw sqlOpened.reason
    const target = influxOpened.value
    const sql = sqlOpened.value
    const influx = new InfluxQueryClient(target)
    await influx
      .ensureDatabase()
      .catch((err: Error) =>
        log.warn({ err: err.message }, 'could not create the InfluxDB database; assuming it exists')
      )
    const applied = await migrate(sql, [
      ...registryMigrations,
      ...deadLetterMigrations,
      ...orderMigrations,
      ...outletMigrations,
      ...planLeaseMigrations
    ])
    if (applied.length > 0) log.info({ applied }, 'database migrated')
    // PGlite sets its files' modes itself (0666, whatever the umask): tightened once they exist; files it
    // adds later sit inside the 0700 folder, which no other user can enter
    makePrivate(dataDir)

    // the maker's catalogue: the example on a new install; every import is used from the next pass on,
    // and the hot paths (fault tags, live rules, completions) see it within CATALOGUE_REFRESH_MS
    const catalogues = new Catalogues(new SqlCatalogueStore(sql), log.child({ component: 'catalogue' }))
    await catalogues.open()
    const refresh = setInterval(() => {
      catalogues
        .refresh()
        .catch((err: Error) => log.warn({ err: err.message }, 'could not refresh the catalogue'))
    }, CATALOGUE_REFRESH_MS)
    refresh.unref()
    cleanups.push(() => clearInterval(refresh))
    const outlets = new SqlOutletStore(sql)
    const faults = (code: string) => faultOf(catalogues.current().catalogue, code)

    const dynsec = await connectDynsec(config, log)
    if (dynsec) cleanups.push(() => dynsec.close())
    const registry = new Registry(new SqlDeviceStore(sql), new SqlAccountStore(sql), {
      brokerAccounts: dynsec,
      cacheSeconds: config.MQTT_AUTH_CACHE_SECONDS,
      clock,
      deviceCheck: async () => {
        const { catalogue } = await catalogues.refresh()
        const known = new Map((await outlets.list()).map((o) => [o.code, o.regions]))
        return (device) => deviceIssues(catalogue, known, device)
      }
    })
    const createdAdminToken = await ensureAdmin(registry, dataDir)

    const writer = new InfluxWriter(createLineSender(target), log.child({ component: 'writer' }), {
      batchLines: config.INFLUX_BATCH_LINES,
      maxInFlight: config.INFLUX_MAX_IN_FLIGHT
    })
    cleanups.push(() => writer.close(10000))
    const deadLetters = new SqlDeadLetterStore(sql)
    const orders = new SqlOrderStore(sql)
    const records = new SqlServiceRecords(sql)
    const ingest = new Ingest(writer, deadLetters, clock, log.child({ component: 'ingest' }), {
      maxAgeDays: config.INGEST_MAX_AGE_DAYS,
      maxFutureSeconds: config.INGEST_MAX_FUTURE_SECONDS,
      onStored: liveRuleHandler(new LiveRules(faults), orders, clock),
      faultOf: faults,
      partsOf: (model) => modelOf(catalogues.current().catalogue, model)?.components.map((c) => c.part),
      storedSamples: storedSamplesReader(influx)
    })

    const service = new ServiceOrders({
      orders,
      outlets,
      records,
      catalogue: () => catalogues.current().catalogue,
      device: (id) => registry.getDevice(id),
      suspendedOutlets: (month) => suspendedOutlets(sql, month),
      recordPartChange: (change, device) =>
        ingest.recordEvent(device, {
          ts: change.changedAt.getTime(),
          type: 'part_replaced',
          part: change.part
        }),
      clock,
      log: log.child({ component: 'service' })
    })

    const broker = await Broker.create({
      auth: {
        authenticateDevice: (id, secret) => registry.authenticateDevice(id, secret),
        authenticateService: (token) => registry.authenticateToken(token)
      },
      gate: ingest.handle,
      logger: log,
      maxPayloadBytes: config.MQTT_MAX_PAYLOAD_BYTES,
      limits: {
        connectTimeoutMs: config.MQTT_CONNECT_TIMEOUT_MS,
        keepaliveLimitSeconds: config.MQTT_KEEPALIVE_LIMIT_SECONDS,
        deviceMsgsPerSecond: config.MQTT_DEVICE_MSGS_PER_SECOND,
        deviceBurst: config.MQTT_DEVICE_BURST,
        loginFailuresPerSecond: config.MQTT_LOGIN_FAILURES_PER_SECOND,
        subscriberBacklogBytes: config.MQTT_SUBSCRIBER_BACKLOG_BYTES,
        drainTimeoutMs: config.MQTT_DRAIN_TIMEOUT_MS,
        heartbeatMs: config.MQTT_HEARTBEAT_MS,
        serviceConnections: config.MQTT_SERVICE_CONNECTIONS
      },
      onStatus: (device, status) => ingest.recordStatus(device, status),
      sessions: sessionBackend(sessionStore(config)),
      onRevoked: (id) =>
        id.startsWith('svc:') ? registry.forgetCachedToken(id.slice(4)) : registry.forgetCachedLogin(id)
    })
    registry.on('device-revoked', (id) => broker.revokeEverywhere(id))
    registry.on('account-revoked', (name) => broker.revokeServiceEverywhere(name))
    // broker before writer: stop taking publishes, then let the writer drain what it was given
    cleanups.push(() => broker.close())
    // with an existing broker, devices connect there and this node consumes from it: no MQTT listener here
    const consumer = config.INGEST_BROKER_URL
      ? await startIngestConsumer(config, { registry, ingest, deadLetters, log })
      : undefined
    if (consumer) cleanups.push(() => consumer.close())
    if (config.MQTT_TLS_KEY) warnIfReadable(config.MQTT_TLS_KEY, log)
    const ports = consumer
      ? {}
      : await broker.listen({
          host: config.MQTT_HOST,
          port: config.MQTT_PORT,
          plain: config.MQTT_PLAIN,
          tls:
            config.MQTT_TLS_CERT && config.MQTT_TLS_KEY
              ? {
                  cert: readFileSync(config.MQTT_TLS_CERT),
                  key: readFileSync(config.MQTT_TLS_KEY),
                  port: config.MQTTS_PORT
                }
              : undefined
        })

    const planner = planRunner({
      sql,
      influx,
      devices: () => allDevices(registry),
      beforePass: () => service.flushPartChanges(),
      orders,
      catalogues,
      outlets,
      records,
      writer,
      config,
      clock,
      log: log.child({ component: 'planning' })
    })
    const runPlan = planner.run
    // before the writer closes (a pass under way still writes): the kept histories for the next start
    cleanups.push(async () => {
      if (await planner.keep()) log.info('planning histories kept for the next start')
    })
    if (config.PLAN_EVERY_HOURS > 0) cleanups.push(schedulePlanning(runPlan, config.PLAN_EVERY_HOURS, log))
    const metrics = startPipelineMetrics({
      writer,
      node: os.hostname(),
      intervalMs: config.PIPELINE_METRICS_SECONDS * 1000,
      clock,
      log,
      fields: () => pipelineFields(ingest, writer, broker)
    })
    cleanups.push(() => metrics.stop())

    const api = await buildApi(
      {
        registry,
        catalogues,
        deadLetters,
        health: () => health(influx, sql),
        orders,
        kpis: async (month) => outletKpis(await readKpiInput(sql, month), month),
        outlets,
        records,
        defaultCapacity: config.OUTLET_CAPACITY_PER_DAY,
        deviceHealth: (id) => deviceHealth(influx, id),
        device: (id) => registry.getDevice(id),
        deviceReadings: (device, days) => deviceReadings(influx, device, days, clock.now()),
        sites: (ids) => registry.sites(ids),
        people: new People(sql, {
          clock,
          idleMinutes: config.CONSOLE_IDLE_MINUTES,
          maxFailures: config.CONSOLE_MAX_FAILURES,
          lockMinutes: config.CONSOLE_LOCK_MINUTES
        }),
        outletExists: async (code) => (await outlets.list()).some((o) => o.code === code),
        consoleDir: consoleDir(),
        service,
        runPlan,
        pipelineStats: () => ({
          ingest: {
            ...ingest.stats,
            countersBackwards: ingest.counters.backwards,
            resendReads: ingest.resendReads
          },
          writer: writer.stats,
          broker: { ...broker.stats, connected: broker.connectedClients },
          ...(consumer ? { consumer: { ...consumer.stats, inFlight: consumer.inFlight } } : {})
        })
      },
      log
    )
    cleanups.push(() => api.close())
    await api.listen({ host: config.API_HOST, port: config.API_PORT })
    const apiPort = (api.server.address() as { port: number }).port

    const endpoints: Endpoints = {
      api: `http://${config.API_HOST}:${apiPort}`,
      // TLS only (MQTT_PLAIN=false): the one MQTT address is the TLS one
      mqtt: config.INGEST_BROKER_URL
        ? publicBrokerUrl(config.INGEST_BROKER_URL)
        : ports.mqtt !== undefined
          ? `mqtt://${config.MQTT_HOST}:${ports.mqtt}`
          : `mqtts://${config.MQTT_HOST}:${ports.mqtts}`,
      mqtts: ports.mqtts ? `mqtts://${config.MQTT_HOST}:${ports.mqtts}` : undefined,
      influx: target.url,
      influxDatabase: target.database,
      pid: process.pid
    }
    writeEndpoints(dataDir, endpoints)
    return {
      endpoints,
      registry,
      broker,
      ingest,
      writer,
      influx,
      sql,
      api,
      catalogues,
      outlets,
      consumer,
      createdAdminToken,
      stop: stopAll
    }
  } catch (err) {
    await stopAll()
    throw err
  }
}
