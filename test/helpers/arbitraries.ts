import fc from 'fast-check'

/** Payloads a broken or hostile device might send: bytes, any JSON, sample-shaped objects with values of any type, uploads. */
export function arbitraryPayloads(now: number): fc.Arbitrary<Buffer> {
  const fieldNames = [
    'ts',
    'seq',
    'litersTotal',
    'tdsIn',
    'leak',
    'engineHours',
    'rpm',
    'lat',
    'samples',
    'type'
  ]
  const anyValue = fc.oneof(
    fc.double(),
    fc.integer({ min: now - 500 * 86400000, max: now + 86400000 }),
    fc.boolean(),
    fc.string(),
    fc.constant(null),
    fc.anything()
  )
  const sampleLike = fc.dictionary(fc.oneof(fc.constantFrom(...fieldNames), fc.string()), anyValue, {
    maxKeys: 8
  })
  return fc.oneof(
    fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
    fc.json().map((s) => Buffer.from(s)),
    sampleLike.map((o) => Buffer.from(JSON.stringify(o))),
    fc
      .array(fc.oneof(sampleLike, anyValue), { maxLength: 20 })
      .map((samples) => Buffer.from(JSON.stringify({ samples })))
  )
}
