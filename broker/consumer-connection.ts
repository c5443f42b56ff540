import { EventEmitter } from 'node:events'
import net from 'node:net'
import tls from 'node:tls'
import mqttPacket, { type IPublishPacket, type Packet } from 'mqtt-packet'

/** How to reach the broker a consumer takes telemetry from. */
export interface ConsumerTarget {
  host: string
  port: number
  tls?: { ca?: Buffer; rejectUnauthorized?: boolean; servername?: string }
  username?: string
  password?: string
  /** Stable per node: the broker keeps this client's session (and what it has not acknowledged) for it. */
  clientId: string
  /** QoS 1 messages the broker may have outstanding to this client at once (MQTT 5 Receive Maximum). */
  receiveMaximum: number
  /** How long the broker keeps the session while the consumer is away. */
  sessionExpirySeconds: number
  keepaliveSeconds: number
  /** Topic filters to subscribe to at QoS 1 (shared subscriptions included). */
  filters: string[]
  /** MQTT 5 (shared subscriptions, Receive Maximum) or 3.1.1 (one consumer; the broker's own in-flight limit). */
  protocolVersion: 4 | 5
}

/** A message the consumer must settle: `ack` once it is stored, never before. */
export interface Delivery {
  topic: string
  payload: Buffer
  ack(): void
}

const CONNECT_TIMEOUT_MS = 10000

/**
 * One MQTT connection of a consumer, on the mqtt-packet codec (the one MQTT.js and Aedes use). MQTT.js
 * cannot be used here: it handles incoming QoS 1 messages one at a time and sends each PUBACK before
 * reading the next, so a consumer that acknowledges only what is stored would store one message at a
 * time. Here up to Receive Maximum messages are in flight, and PUBACKs go out in the order the
 * messages came, each only after it and every message before it were settled ([MQTT-4.6.0-2]).
 * Events: 'message' (Delivery), 'close' (Error | undefined).
 */
export class ConsumerConnection extends EventEmitter {
  private socket?: net.Socket
  private readonly pending: { id: number | undefined; settled: boolean }[] = []
  private pingTimer?: NodeJS.Timeout
  private lastSent = Date.now()
  private closed = false
  private subscribeId = 1
  private lastReceived = Date.now()
  private flushScheduled = false
  private unsubscribed?: () => void

  constructor(private readonly target: ConsumerTarget) {
    super()
  }

  /** Connects, subscribes and resolves with whether the broker still had the session. */
  open(): Promise<{ sessionPresent: boolean }> {
    const t = this.target
    return new Promise((resolve, reject) => {
      const socket = t.tls
        ? tls.connect({ host: t.host, port: t.port, servername: t.tls.servername ?? t.host, ...t.tls })
        : net.connect({ host: t.host, port: t.port })
      this.socket = socket
      socket.setNoDelay(true)
      const parser = mqttPacket.parser({ protocolVersion: t.protocolVersion })
      const timer = setTimeout(
        () => fail(new Error(`no CONNACK from ${t.host}:${t.port} in 10 s`)),
        CONNECT_TIMEOUT_MS
      )
      let connected = false
      let sessionPresent = false
      const fail = (err: Error) => {
        clearTimeout(timer)
        if (!connected) reject(err)
        this.close(err)
      }
      socket.on('error', fail)
      socket.on('close', () => fail(new Error('the broker closed the connection')))
      socket.on('data', (chunk: Buffer) => parser.parse(chunk))
      parser.on('error', (err: Error) => fail(new Error(`malformed packet from the broker: ${err.message}`)))
      parser.on('packet', (packet: Packet) => {
        if (packet.cmd === 'connack') {
          if ((packet.reasonCode ?? packet.returnCode ?? 0) !== 0)
            return fail(
              new Error(
                `the broker refused the connection (reason ${packet.reasonCode ?? packet.returnCode})`
              )
            )
          sessionPresent = packet.sessionPresent
          this.send({
            cmd: 'subscribe',
            messageId: this.subscribeId,
            subscriptions: t.filters.map((topic) => ({ topic, qos: 1 as const }))
          })
        } else if (packet.cmd === 'suback' && packet.messageId === this.subscribeId) {
          const refused = packet.granted.findIndex(
            (g) => (typeof g === 'number' ? g : (g as { qos: number }).qos) >= 0x80
          )
          if (refused >= 0)
            return fail(new Error(`the broker refused the subscription to ${t.filters[refused]}`))
          connected = true
          clearTimeout(timer)
          this.startPings()
          resolve({ sessionPresent })
        } else if (packet.cmd === 'publish') this.receive(packet)
        else if (packet.cmd === 'unsuback') this.unsubscribed?.()
        else if (packet.cmd === 'disconnect')
          fail(new Error(`the broker disconnected the consumer (reason ${packet.reasonCode ?? 0})`))
      })
      socket.once('connect', () =>
        this.send({
          cmd: 'connect',
          protocolId: 'MQTT',
          protocolVersion: t.protocolVersion,
          clean: false,
          clientId: t.clientId,
          keepalive: t.keepaliveSeconds,
          ...(t.username !== undefined ? { username: t.username } : {}),
          ...(t.password !== undefined ? { password: Buffer.from(t.password) } : {}),
          ...(t.protocolVersion === 5
            ? {
                properties: {
                  sessionExpiryInterval: t.sessionExpirySeconds,
                  receiveMaximum: t.receiveMaximum
                }
              }
            : {})
        })
      )
    })
  }

  /** Messages received and not yet acknowledged. */
  get inFlight(): number {
    return this.pending.length
  }

  /**
   * Leaves the share group for good (a node stopping): unsubscribes, settles what is in flight and what
   * the broker still had queued for this session (until nothing came for `quietMs`), then disconnects
   * with the session ending, so the broker stops queueing the group's messages for a node that is gone
   * (brokers keep giving an offline member of a share group its turn while its session lasts). Resolves
   * false — the session kept, nothing lost — when that does not finish within `timeoutMs`.
   */
  async leave(timeoutMs = 10000, quietMs = 300): Promise<boolean> {
    if (this.closed || this.target.protocolVersion !== 5) return false
    const deadline = Date.now() + timeoutMs
    const unsubscribed = new Promise<void>((resolve) => (this.unsubscribed = resolve))
    this.send({ cmd: 'unsubscribe', messageId: this.subscribeId + 1, unsubscriptions: this.target.filters })
    const gone = await Promise.race([unsubscribed.then(() => true), sleep(timeoutMs).then(() => false)])
    while (gone && !this.closed && Date.now() < deadline) {
      if (this.pending.length === 0 && Date.now() - this.lastReceived >= quietMs) {
        this.send({ cmd: 'disconnect', reasonCode: 0, properties: { sessionExpiryInterval: 0 } })
        this.close()
        return true
      }
      await sleep(50)
    }
    this.close()
    return false
  }

  /** Closes the connection without acknowledging anything still pending: the broker sends it again. */
  close(err?: Error): void {
    if (this.closed) return
    this.closed = true
    clearInterval(this.pingTimer)
    this.pending.length = 0
    this.socket?.destroy()
    this.emit('close', err)
  }

  private receive(packet: IPublishPacket): void {
    this.lastReceived = Date.now()
    const slot = { id: packet.qos > 0 ? packet.messageId : undefined, settled: false }
    this.pending.push(slot)
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload)
    this.emit('message', {
      topic: packet.topic,
      payload,
      ack: () => {
        slot.settled = true
        // the messages of one stored batch settle in the same turn: their PUBACKs leave together after it
        if (this.flushScheduled) return
        this.flushScheduled = true
        setImmediate(() => {
          this.flushScheduled = false
          this.flushAcks()
        })
      }
    } satisfies Delivery)
  }

  /**
   * Sends the PUBACKs of the settled messages at the front, in the order they came — in one write: a
   * stored batch settles many messages at once, and a write a PUBACK would cost a system call each.
   */
  private flushAcks(): void {
    const acks: Buffer[] = []
    while (this.pending[0]?.settled) {
      const { id } = this.pending.shift() as { id: number | undefined }
      if (id !== undefined) acks.push(pubackOf(id))
    }
    if (acks.length === 0 || this.closed || !this.socket) return
    this.lastSent = Date.now()
    this.socket.write(acks.length === 1 ? (acks[0] as Buffer) : Buffer.concat(acks))
  }

  private startPings(): void {
    const every = (this.target.keepaliveSeconds * 1000) / 2
    this.pingTimer = setInterval(() => {
      if (Date.now() - this.lastSent >= every) this.send({ cmd: 'pingreq' })
    }, every)
    this.pingTimer.unref()
  }

  private send(packet: Packet): void {
    if (this.closed || !this.socket) return
    this.lastSent = Date.now()
    this.socket.write(mqttPacket.generate(packet, { protocolVersion: this.target.protocolVersion }))
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** A PUBACK with reason 0 (success): the same 4 bytes in MQTT 3.1.1 and 5 (the reason may be left out). */
function pubackOf(id: number): Buffer {
  return Buffer.from([0x40, 0x02, id >> 8, id & 0xff])
}
