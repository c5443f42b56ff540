import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { isValidSample } from '../../ingest/sample-check.js'
import { DEVICE_KINDS, sampleSchemas, type DeviceKind } from '../../shared/index.js'

interface FieldSchema {
  type: 'integer' | 'number' | 'boolean'
  minimum?: number
  maximum?: number
}

/** The contract's fields of a kind as JSON Schema (zod's own rendering), to draw valid values from. */
function fieldsOf(kind: DeviceKind): [string, FieldSchema][] {
  const schema = sampleSchemas[kind].toJSONSchema() as { properties: Record<string, FieldSchema> }
  return Object.entries(schema.properties)
}

function validValue(f: FieldSchema): fc.Arbitrary<unknown> {
  if (f.type === 'boolean') return fc.boolean()
  const range = { min: f.minimum ?? -1e9, max: f.maximum ?? 1e9 }
  return f.type === 'integer' ? fc.integer(range) : fc.double({ ...range, noNaN: true })
}

/** Wrong in one way or another: a hair past a bound, a fraction, another type, anything. */
function wrongValue(f: FieldSchema): fc.Arbitrary<unknown> {
  const bounds = [f.minimum, f.maximum].filter((b): b is number => b !== undefined)
  return fc.oneof(
    fc.constantFrom(...bounds.flatMap((b) => [b, b - 1, b + 1, b - 0.5, b + 1e-9, -b]), 0.5, 1e300),
    fc.oneof(fc.double(), fc.boolean(), fc.string(), fc.constant(null), fc.anything())
  )
}

/**
 * Sample-shaped objects of one kind: a valid sample (optional fields present or not), then mostly
 * one or two changes — a field given a wrong value, a required field dropped, a stranger key added.
 */
function sampleLike(kind: DeviceKind): fc.Arbitrary<unknown> {
  const fields = fieldsOf(kind)
  const valid = fc.record(Object.fromEntries(fields.map(([name, f]) => [name, validValue(f)])), {
    requiredKeys: ['ts', 'seq']
  })
  const change = fc.oneof(
    fc.constantFrom(...fields).chain(([name, f]) => wrongValue(f).map((v) => ({ set: name, to: v }))),
    fc.constantFrom('ts', 'seq').map((name) => ({ drop: name })),
    fc
      .tuple(fc.constantFrom('extra', '__proto__', 'constructor', 'TS'), fc.anything())
      .map(([name, v]) => ({ add: name, to: v }))
  )
  return fc.tuple(valid, fc.array(change, { maxLength: 2 })).map(([sample, changes]) => {
    let text = JSON.stringify(sample)
    const o = JSON.parse(text) as Record<string, unknown>
    for (const c of changes) {
      if ('set' in c) o[c.set] = c.to
      else if ('drop' in c) delete o[c.drop]
    }
    text = JSON.stringify(o)
    for (const c of changes)
      if ('add' in c)
        text = `${text.slice(0, -1)}${text.length > 2 ? ',' : ''}"${c.add}":${JSON.stringify(c.to) ?? 'null'}}`
    // a device's sample arrives as JSON: what JSON cannot say (NaN, undefined) never reaches a check
    return JSON.parse(text) as unknown
  })
}

describe('the compiled sample check', () => {
  for (const kind of DEVICE_KINDS) {
    it(`when a ${kind} sample arrives, then the compiled check and the zod schema give the same verdict`, () => {
      let accepted = 0
      let refused = 0
      fc.assert(
        fc.property(sampleLike(kind), (raw) => {
          const fast = isValidSample(kind, raw)
          expect(fast).toBe(sampleSchemas[kind].safeParse(raw).success)
          if (fast) accepted++
          else refused++
        }),
        { numRuns: 10000, seed: 20261123 }
      )
      // both verdicts were reached often enough for the agreement to mean something
      expect(accepted).toBeGreaterThan(500)
      expect(refused).toBeGreaterThan(500)
    })
  }

  it('when a sample carries a key the contract does not name, then the check refuses it', () => {
    expect(isValidSample('purifier', { ts: 1763856000000, seq: 1 })).toBe(true)
    expect(isValidSample('purifier', JSON.parse('{"ts":1763856000000,"seq":1,"__proto__":{"x":1}}'))).toBe(
      false
    )
    expect(isValidSample('purifier', { ts: 1763856000000, seq: 1, rpm: 900 })).toBe(false)
    expect(isValidSample('machine', { ts: 1763856000000, seq: 1.5 })).toBe(false)
  })
})
