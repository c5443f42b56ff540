import net from 'node:net'
import tls from 'node:tls'
import { Aedes, type Client, type PublishPacket, type Subscription } from 'aedes'
import { AppError, type DeviceInfo, type Logger, topics } from '../shared/index.js'
import { canPublish, canSubscribe, type Identity } from './acl.js'
import { CONNACK, authError, identify, type BrokerAuthenticator } from './authenticate.js'
import { Buckets, DEFAULT_LIMITS, LogLimit, LoginGuard, type BrokerLimits } from './throttle.js'
import { guardPacketSize } from './packet-size-guard.js'
import { bind, remoteAddress } from './sockets.js'
import type { SessionBackend } from './sessions.js'
import { ServiceConnections } from './service-connections.js'
import { congestionGuard, DEFAULT_BACKLOG, MQ_CONCURRENCY, type BacklogLimits } from './backlog.js'

/**
 * The publish gate: completes when the message is durably stored (or
 * dead-lettered). Aedes sends PUBACK only after it, so PUBACK means "stored".
 * A rejection means "could not store": no PUBACK, the connection closes and
 * the device resends. Resolving to `false` means "kept, but not for anyone":
 * the message is not delivered to any subscriber (it was dead-lettered).
 */
export type PublishGate = (device: DeviceInfo, topic: string, payload: Buffer) => Promise<boolean | void>

export interface BrokerOptions {
  auth: BrokerAuthenticator
  gate: PublishGate
  logger: Logger
  maxPayloadBytes: number
  limits?: Partial<BrokerLimits & BacklogLimits>
  /** Sessions and the message bus between nodes (memory when absent); closed after the broker. */
  sessions?: SessionBackend
  /** Told on every node when any node revoked a device's credentials (forget cached logins). */
  onRevoked?: (deviceId: string) => void
  /** Told when a device comes online or goes offline (after its retained status is published). */
  onStatus?: (device: DeviceInfo, status: 'online' | 'offline') => void
}

export interface ListenOptions {
  host: string
  port: number
  tls?: { cert: string | Buffer; key: string | Buffer; port: number }
  /** False: no plain MQTT listener, TLS only (needs `tls`). */
  plain?: boolean
}

/** The bus topic on which nodes tell each other of revoked devices (`$` topics are closed to clients). */
const REVOKED_TOPIC = '$aftercare/revoked'
/**
 * Where Aedes publishes, after its PUBACK, a packet that must reach no one: a service's command (already
 * published before the PUBACK) or a device's dead-lettered publish.
 */
const PUBLISHED_TOPIC = '$aftercare/published'

/**
 * aftercare's MQTT broker: Aedes with registry authentication, the per-device
 * ACL, a packet size limit, broker-owned retained status, and the ingest gate
 * in the publish path.
 */
export class Broker {
  readonly aedes: Aedes
  private readonly identities = new WeakMap<Client, Identity>()
  private readonly servers: (net.Server | tls.Server)[] = []
  private readonly log: Logger
  readonly stats = {
    refusedConnects: 0,
    refusedPublishes: 0,
    refusedSubscribes: 0,
    oversizePackets: 0,
    throttledLogins: 0,
    throttledPublishes: 0,
    droppedDeliveries: 0,
    droppedWills: 0
  }
  /** The live connections of each service account on this node (its cap is per node). */
  private readonly services: ServiceConnections
  /** Repeated warnings about one address: a line every 10 s with how many were left out. */
  private readonly logLimit = new LogLimit()
  private readonly publishBuckets: Buckets
  private readonly logins: LoginGuard

  private constructor(private readonly options: BrokerOptions) {
    this.log = options.logger.child({ component: 'broker' })
    const limits = { ...DEFAULT_LIMITS, ...DEFAULT_BACKLOG, ...options.limits }
    this.services = new ServiceConnections(limits.serviceConnections)
    this.publishBuckets = new Buckets(limits.deviceMsgsPerSecond, limits.deviceBurst)
    this.logins = new LoginGuard(limits.loginFailuresPerSecond, () => ++this.stats.throttledLogins, this.log)
    this.aedes = new Aedes({
      maxClientsIdLength: 64,
      ...(options.sessions?.persistence ? { persistence: options.sessions.persistence } : {}),
      ...(options.sessions?.mq ? { mq: options.sessions.mq } : {}),
      concurrency: MQ_CONCURRENCY,
      heartbeatInterval: limits.heartbeatMs,
      drainTimeout: limits.drainTimeoutMs,
      authorizeForward: congestionGuard(
        limits.subscriberBacklogBytes,
        () => this.stats.droppedDeliveries++,
        this.log
      ),
      connectTimeout: limits.connectTimeoutMs,
      keepaliveLimit: limits.keepaliveLimitSeconds,
      authenticate: (client, username, password, done) => {
        const address = remoteAddress(client)
        void this.logins
          .attempt(address, client.id, async () => {
            try {
              const identity = await identify(this.options.auth, client, username, password)
              if (identity.type === 'service') this.services.claim(identity.name, client)
              this.identities.set(client, identity)
              return 'ok'
            } catch (e) {
              const err = e as Error & { returnCode?: number }
              const left = this.logLimit.allow(`refused/${address}`)
              if (left !== undefined)
                this.log.info(
                  { clientId: client.id, username, address, reason: err.message, notLogged: left },
                  'connection refused'
                )
              const failed =
                err.returnCode === CONNACK.badCredentials || err.returnCode === CONNACK.identifierRejected
              throw Object.assign(err, { countsAsFailure: failed })
            }
          })
          .then(
            () => done(null, true),
            (err: Error & { returnCode?: number }) => {
              this.stats.refusedConnects++
              done(authError(err.returnCode ?? CONNACK.serverUnavailable, err.message) as never, false)
            }
          )
      },
      authorizePublish: (client, packet, done) => this.authorizePublish(client, packet, done),
      authorizeSubscribe: (client, sub, done) => this.authorizeSubscribe(client, sub, done)
    })
    this.aedes.on('clientReady', (client) => {
      this.countService(client, 1)
      this.statusChanged(client, 'online')
    })
    this.aedes.on('clientDisconnect', (client) => {
      this.countService(client, -1)
      this.statusChanged(client, 'offline')
    })
    this.aedes.on('clientError', (client, err) =>
      this.log.debug({ clientId: client.id, err: err.message }, 'client error')
    )
  }

  static async create(options: BrokerOptions): Promise<Broker> {
    const broker = new Broker(options)
    await broker.aedes.listen()
    await new Promise<void>((resolve) =>
      bus(broker.aedes).on(REVOKED_TOPIC, broker.revokedHere, () => resolve())
    )
    return broker
  }

  /** Opens the TCP listener (and TLS when configured); resolves with the bound ports. */
  async listen(options: ListenOptions): Promise<{ mqtt?: number; mqtts?: number }> {
    const handle = (socket: net.Socket) => {
      guardPacketSize(socket, this.options.maxPayloadBytes, (declared) => {
        this.stats.oversizePackets++
        const left = this.logLimit.allow(`oversize/${socket.remoteAddress ?? ''}`)
        if (left !== undefined)
          this.log.warn(
            { remote: socket.remoteAddress, declared, limit: this.options.maxPayloadBytes, notLogged: left },
            'packet over the size limit refused'
          )
      })
      this.aedes.handle(socket)
    }
    const mqtt =
      options.plain === false ? undefined : await bind(net.createServer(handle), options.host, options.port)
    if (mqtt) this.servers.push(mqtt.server)
    if (!options.tls) return { mqtt: mqtt?.port }
    const secure = await bind(
      tls.createServer({ cert: options.tls.cert, key: options.tls.key }, handle),
      options.host,
      options.tls.port
    )
    this.servers.push(secure.server)
    return { mqtt: mqtt?.port, mqtts: secure.port }
  }

  /** After a device's secret was rotated or it was disabled: every node forgets its login and ends its session. */
  revokeEverywhere(deviceId: string): void {
    bus(this.aedes).emit({ topic: REVOKED_TOPIC, payload: Buffer.from(deviceId) }, () => undefined)
  }

  /** After a service account's token was rotated or it was disabled: every node ends its sessions. */
  revokeServiceEverywhere(name: string): void {
    bus(this.aedes).emit({ topic: REVOKED_TOPIC, payload: Buffer.from(`svc:${name}`) }, () => undefined)
  }

  private readonly revokedHere = (message: { payload: Buffer | Uint8Array }, done: () => void): void => {
    const revoked = Buffer.from(message.payload).toString('utf8')
    this.options.onRevoked?.(revoked)
    // a device id has no ':'; `svc:NAME` is a service account, whose client ids vary
    if (revoked.startsWith('svc:')) {
      // every registered client (a client has its CONNACK once registered, before Aedes calls it ready)
      const clients = (this.aedes as unknown as { clients: Record<string, Client> }).clients
      for (const client of Object.values(clients)) {
        const identity = this.identities.get(client)
        if (identity?.type === 'service' && identity.name === revoked.slice(4)) client.close()
      }
    } else {
      const client = (this.aedes as unknown as { clients: Record<string, Client> }).clients[revoked]
      if (client) client.close()
    }
    done()
  }

  private countService(client: Client, change: 1 | -1): void {
    const identity = this.identities.get(client)
    if (identity?.type !== 'service') return
    if (change > 0) this.services.add(identity.name, client)
    else this.services.remove(identity.name, client)
  }

  get connectedClients(): number {
    return (this.aedes as unknown as { connectedClients: number }).connectedClients ?? 0
  }

  /**
   * Stops taking connections, ends every client's (a publish still in the gate gets no PUBACK: its device
   * resends it), then waits for the listeners. A listener's close waits for its sockets, so the clients
   * go first: waiting on the listeners first hung as long as any device stayed connected.
   */
  async close(): Promise<void> {
    const listeners = this.servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve())))
    await new Promise<void>((resolve) => this.aedes.close(() => resolve()))
    await Promise.all(listeners)
    await this.options.sessions?.close()
  }

  private authorizePublish(
    client: Client | null,
    packet: PublishPacket,
    done: (err?: Error | null) => void
  ): void {
    // a will swept up after its node died (Aedes publishes those of a node silent for a while, with the
    // client it finds under that id here, or none): its sender can no longer be checked — the connection
    // that set it is gone, and whoever holds the id now did not set it — so it is published to no one
    const brokerId = (packet as { brokerId?: string }).brokerId
    if (!client || (brokerId !== undefined && brokerId !== this.aedes.id)) {
      this.stats.droppedWills++
      this.log.warn(
        { clientId: (packet as { clientId?: string }).clientId, topic: packet.topic },
        'will of a client of a stopped node not published'
      )
      packet.topic = PUBLISHED_TOPIC
      packet.payload = Buffer.alloc(0)
      packet.retain = false
      return done(null)
    }
    // [MQTT-1.5.3-1/2]: a topic with invalid UTF-8 (decoded as U+FFFD) or U+0000 closes the connection
    if (packet.topic.includes('\u0000') || packet.topic.includes('\uFFFD')) {
      this.stats.refusedPublishes++
      this.log.warn({ clientId: client.id }, 'topic with NUL or invalid UTF-8 refused; closing connection')
      return done(new AppError('FORBIDDEN', 'a topic may not hold U+0000 or invalid UTF-8'))
    }
    const identity = this.identities.get(client)
    if (!identity || !canPublish(identity, packet.topic)) {
      this.stats.refusedPublishes++
      this.log.warn(
        { clientId: client.id, topic: packet.topic },
        'publish outside the ACL refused; closing connection'
      )
      // MQTT 3.1.1 has no negative PUBACK: closing without acknowledging is the refusal
      return done(new AppError('FORBIDDEN', `${client.id} may not publish to ${packet.topic}`))
    }
    // device data is stored, not retained; a command is for now, not for whoever subscribes later
    packet.retain = false
    if (identity.type === 'service')
      return packet.qos === 1 ? this.publishBeforeAck(client, packet, done) : done(null)
    // Aedes reads a client's next packet only after this one is authorized: waiting here slows that device alone
    const wait = this.publishBuckets.reserve(identity.device.id)
    if (wait > 0) this.stats.throttledPublishes++
    const gate = () => this.options.gate(identity.device, packet.topic, packet.payload as Buffer)
    const stored = wait > 0 ? new Promise((r) => setTimeout(r, wait)).then(gate) : gate()
    stored.then(
      (deliver) => {
        // a dead-lettered publish (its own commands topic, an unknown subtopic, bad data) reaches no one:
        // what Aedes publishes after the PUBACK is emptied onto a topic no client may subscribe to
        if (deliver === false) {
          packet.topic = PUBLISHED_TOPIC
          packet.payload = Buffer.alloc(0)
        }
        done(null)
      },
      (err: Error) => {
        this.log.warn(
          { clientId: client.id, err: err.message },
          'could not store a publish; no PUBACK, closing connection'
        )
        done(err)
      }
    )
  }

  /**
   * A service's QoS 1 command is published here, before its PUBACK: Aedes 1.x writes a QoS 1 PUBACK first and
   * only then queues the message for the sessions subscribed to it (lib/handlers/publish.js), so a node dying
   * in between would lose a command the service was told was taken. Once it is queued for every session and
   * sent to the online ones, Aedes acknowledges it and publishes what is left of the packet: nothing, on a
   * topic no client may subscribe to (`$` topics are closed).
   */
  private publishBeforeAck(client: Client, packet: PublishPacket, done: (err?: Error | null) => void): void {
    const command: PublishPacket = {
      cmd: 'publish',
      topic: packet.topic,
      payload: packet.payload,
      qos: 1,
      retain: false,
      dup: false
    }
    this.aedes.publish(command, (err) => {
      if (err) {
        this.log.warn(
          { clientId: client.id, topic: command.topic, err: err.message },
          'could not queue a command; no PUBACK, closing connection'
        )
        return done(err)
      }
      packet.topic = PUBLISHED_TOPIC
      packet.payload = Buffer.alloc(0)
      done(null)
    })
  }

  private authorizeSubscribe(
    client: Client,
    sub: Subscription,
    done: (err: Error | null, sub?: Subscription | null) => void
  ): void {
    const identity = this.identities.get(client)
    if (identity && canSubscribe(identity, sub.topic)) return done(null, sub)
    this.stats.refusedSubscribes++
    this.log.warn({ clientId: client.id, topic: sub.topic }, 'subscription outside the ACL refused')
    done(null, null) // SUBACK 0x80 failure [MQTT-3.9.3]
  }

  private statusChanged(client: Client, status: 'online' | 'offline'): void {
    const identity = this.identities.get(client)
    if (identity?.type !== 'device') return
    const current = (this.aedes as unknown as { clients: Record<string, Client | undefined> }).clients[
      client.id
    ]
    // a reconnect takes over the session: the old connection's close must not mark the device offline
    if (status === 'offline' && current && current !== client) return
    const device = identity.device
    this.aedes.publish(
      {
        cmd: 'publish',
        topic: topics.status(device.id),
        payload: Buffer.from(status),
        qos: 1,
        retain: true,
        dup: false
      },
      (err) => {
        if (err) this.log.warn({ device: device.id, err: err.message }, 'could not publish status')
      }
    )
    this.options.onStatus?.(device, status)
  }
}

/** Aedes' message bus (mqemitter, or mqemitter-redis across nodes); its type is not in Aedes' declarations. */
interface Bus {
  on(
    topic: string,
    listener: (message: { payload: Buffer }, done: () => void) => void,
    done: () => void
  ): void
  emit(message: { topic: string; payload: Buffer }, done: () => void): void
}

function bus(aedes: Aedes): Bus {
  return (aedes as unknown as { mq: Bus }).mq
}
