/** What keeps one client from hurting the others. */
export interface BrokerLimits {
  /** A socket that sends no CONNECT in this time is closed. */
  connectTimeoutMs: number
  /** The longest keepalive a client may ask for (0, "never", is refused): silent half-open clients are reaped at 1.5× it. */
  keepaliveLimitSeconds: number
  /** A device's publishes past this rate (after a burst) wait before the gate: it slows itself, no one else. */
  deviceMsgsPerSecond: number
  deviceBurst: number
  /** Failed logins an address may make a second (burst 20); past that, its CONNECTs are refused without a password check. */
  loginFailuresPerSecond: number
  /**
   * How often a node announces itself to the others (Aedes' heartbeat); the wills of clients of a node
   * silent for three of these are swept every four.
   */
  heartbeatMs: number
  /** Connections one service account may hold on a node. */
  serviceConnections: number
}

export const DEFAULT_LIMITS: BrokerLimits = {
  connectTimeoutMs: 10000,
  keepaliveLimitSeconds: 1200,
  deviceMsgsPerSecond: 20,
  deviceBurst: 200,
  loginFailuresPerSecond: 5,
  heartbeatMs: 60000,
  serviceConnections: 20
}

/**
 * Token buckets per key (a device, a remote address): `rate` tokens a second up
 * to `burst`. Keys idle long enough to be full again are forgotten, so a flood
 * of distinct keys cannot grow the map without bound.
 */
export class Buckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>()

  constructor(
    private readonly rate: number,
    private readonly burst: number,
    private readonly now: () => number = Date.now
  ) {}

  private refill(key: string): { tokens: number; at: number } {
    const now = this.now()
    const b = this.buckets.get(key) ?? { tokens: this.burst, at: now }
    b.tokens = Math.min(this.burst, b.tokens + ((now - b.at) / 1000) * this.rate)
    b.at = now
    this.buckets.set(key, b)
    if (this.buckets.size > 50000) this.forgetFull(now)
    return b
  }

  /** Whether `key` has a token left (takes none). */
  has(key: string): boolean {
    return this.refill(key).tokens >= 1
  }

  /** Whether `key` has every token (nothing taken lately). */
  full(key: string): boolean {
    return this.refill(key).tokens >= this.burst
  }

  /** Takes a token now, even into debt; returns how long to wait (ms) until that token was really there. */
  reserve(key: string): number {
    const b = this.refill(key)
    b.tokens -= 1
    return b.tokens >= 0 ? 0 : Math.ceil((-b.tokens / this.rate) * 1000)
  }

  private forgetFull(now: number): void {
    for (const [key, b] of this.buckets)
      if (b.tokens + ((now - b.at) / 1000) * this.rate >= this.burst) this.buckets.delete(key)
  }
}

/** At most `size` tasks at a time per key; the others wait in order. */
export class Slots {
  private readonly keys = new Map<string, { active: number; waiting: (() => void)[] }>()

  constructor(private readonly size: number) {}

  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    let slot = this.keys.get(key)
    if (!slot) {
      slot = { active: 0, waiting: [] }
      this.keys.set(key, slot)
    }
    if (slot.active >= this.size) await new Promise<void>((r) => slot.waiting.push(r))
    slot.active++
    try {
      return await task()
    } finally {
      slot.active--
      const next = slot.waiting.shift()
      if (next) next()
      else if (slot.active === 0) this.keys.delete(key)
    }
  }
}

/**
 * Failed logins per remote address and per (address, client id): a few credential checks per address
 * at a time (the rest wait their turn). A client id past its failure budget at an address is refused
 * before any password is checked — so a burst of guesses costs a handful of password checks, not all of
 * them. An address past its budget still gets a check now and then (one a second, a burst of three) for
 * a client id that has not failed there lately: a device behind the same address as a flood (a NAT, a
 * neighbour's guesses) still gets in, while cycling client ids buys a flood one guess a second. Failures
 * are what the check marks with `countsAsFailure`.
 */
export class LoginGuard {
  private readonly failures: Buckets
  private readonly pairFailures: Buckets
  private readonly secondChances = new Buckets(1, 3)
  private readonly slots = new Slots(4)
  private lastLog = 0

  constructor(
    failuresPerSecond: number,
    /** Counts a refusal without a check; returns the running total (for the log). */
    private readonly onThrottled: () => number,
    private readonly log: { warn(obj: object, msg: string): void },
    burst = 20
  ) {
    this.failures = new Buckets(failuresPerSecond, burst)
    this.pairFailures = new Buckets(failuresPerSecond, burst)
  }

  attempt<T>(address: string, clientId: string, check: () => Promise<T>): Promise<T> {
    const pair = `${address}\u0000${clientId}`
    return this.slots.run(address, async () => {
      const allowed = this.failures.has(address)
        ? this.pairFailures.has(pair)
        : this.pairFailures.full(pair) &&
          this.secondChances.has(address) &&
          this.secondChances.reserve(address) === 0
      if (!allowed) {
        const throttled = this.onThrottled()
        const now = Date.now()
        if (now - this.lastLog >= 1000) {
          this.lastLog = now
          this.log.warn(
            { address, throttledLogins: throttled },
            'too many failed logins from this address; refusing without checking'
          )
        }
        throw Object.assign(new Error('too many failed logins'), { returnCode: 3 })
      }
      try {
        return await check()
      } catch (err) {
        if ((err as { countsAsFailure?: boolean }).countsAsFailure) {
          this.failures.reserve(address)
          this.pairFailures.reserve(pair)
        }
        throw err
      }
    })
  }
}

/**
 * One log line per key (a remote address) and interval: a client that repeats the same mistake thousands
 * of times a minute makes a line now and then that says how many were left out, not thousands of lines.
 */
export class LogLimit {
  private readonly last = new Map<string, { at: number; suppressed: number }>()

  constructor(
    private readonly intervalMs = 10000,
    private readonly now: () => number = Date.now
  ) {}

  /** The lines left out since the last one for `key` when this one may be written, else undefined. */
  allow(key: string): number | undefined {
    const now = this.now()
    const entry = this.last.get(key)
    if (entry && now - entry.at < this.intervalMs) {
      entry.suppressed++
      return undefined
    }
    if (this.last.size > 10000) this.last.clear()
    this.last.set(key, { at: now, suppressed: 0 })
    return entry?.suppressed ?? 0
  }
}
