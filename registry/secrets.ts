import { createHash, randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto'

const scrypt = (password: string, salt: Buffer, keylen: number, options: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) =>
    scryptCb(password, salt, keylen, options, (err, key) => (err ? reject(err) : resolve(key)))
  )

// OWASP's scrypt floor (N=2^17, r=8, p=1) costs ~128 MiB per check; 2^15 keeps a
// reconnect storm affordable while staying far above brute-force speed, and the
// parameters travel in the hash so they can be raised later.
const PARAMS = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 }
const KEY_LENGTH = 32

/** A new random secret, shown to its owner once. */
export function generateSecret(): string {
  return randomBytes(24).toString('base64url')
}

/** `scrypt$N$r$p$salt$key`, all that is stored of a secret. */
export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(16)
  const key = await scrypt(secret, salt, KEY_LENGTH, PARAMS)
  return ['scrypt', PARAMS.N, PARAMS.r, PARAMS.p, salt.toString('base64'), key.toString('base64')].join('$')
}

/** Checks a secret against its stored hash in constant time. A malformed hash never matches. */
export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, key] = stored.split('$')
  if (scheme !== 'scrypt' || !n || !r || !p || !salt || !key) return false
  const expected = Buffer.from(key, 'base64')
  const actual = await scrypt(secret, Buffer.from(salt, 'base64'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: PARAMS.maxmem
  })
  return actual.length === expected.length && timingSafeEqual(actual, expected)
}

/** A fast fingerprint of a presented secret, for the verified-credentials cache (never stored). */
export function fingerprint(secret: string): string {
  return createHash('sha256').update(secret).digest('base64')
}
