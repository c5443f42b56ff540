import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64'
import { uniformInt } from 'pure-rand/distribution/uniformInt'
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus'

/** A seeded random stream (pure-rand's xoroshiro128+) with the draws the models need. */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number
  /** Uniform integer in [from, to]. */
  int(from: number, to: number): number
  /** Standard normal (Box–Muller). */
  normal(): number
  chance(p: number): boolean
  pick<T>(items: readonly T[]): T
}

/**
 * A stream fixed by the fleet seed and keys (device index, day number, …):
 * the same keys give the same draws in any order, so a day can be simulated
 * on its own and ground truth and samples agree.
 */
export function rngFor(seed: number, ...keys: number[]): Rng {
  // the seed is mixed like a key: XORed straight into the first key instead, seed s with device i drew
  // what seed s' drew with device i ^ s ^ s', so two seeds' fleets were one fleet in another order
  let h = 0x9e3779b9
  for (const key of [seed, ...keys]) {
    // murmur3-style mixing of each key into the seed
    h = Math.imul(h ^ (key >>> 0), 0x85ebca6b)
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35)
    h ^= h >>> 16
  }
  const gen = xoroshiro128plus(h | 0)
  const next = () => uniformFloat64(gen)
  return {
    next,
    int: (from, to) => uniformInt(gen, from, to),
    normal: () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next()),
    chance: (p) => next() < p,
    pick: (items) => items[uniformInt(gen, 0, items.length - 1)] as (typeof items)[number]
  }
}
