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
