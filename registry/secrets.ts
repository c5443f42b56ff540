import { createHash, randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto'

/**
 * Device secrets and service tokens are never chosen by people: each is 192
 * random bits (`generateSecret`). Guessing one offline from its stored hash is
 * as hopeless with one SHA-256 as with a slow KDF, so they are stored as a
 * salted SHA-256 (NIST SP 800-63B asks for a costly KDF only for
 * memorised secrets; random secrets of 112 bits or more need a salted
 * one-way hash). That makes a login check cost microseconds instead of ~60 ms of
 * scrypt, which is what a reconnect storm of 15,000 devices needs. Hashes made
 * by earlier versions (`scrypt$…`) are still verified, and replaced on the
 * next good login (`needsRehash`).
 */
const SALT_BYTES = 16

/** A new random secret, shown to its owner once. */
export function generateSecret(): string {
  return randomBytes(24).toString('base64url')
}

/** `sha256$salt$digest`, all that is stored of a secret. */
export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES)
  return ['sha256', salt.toString('base64'), digest(salt, secret).toString('base64')].join('$')
}

/** Checks a secret against its stored hash in constant time. A malformed hash never matches. */
export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const parts = stored.split('$')
  if (parts[0] === 'sha256' && parts.length === 3) {
    const expected = Buffer.from(parts[2] ?? '', 'base64')
    const actual = digest(Buffer.from(parts[1] ?? '', 'base64'), secret)
    return actual.length === expected.length && timingSafeEqual(actual, expected)
  }
  if (parts[0] === 'scrypt' && parts.length === 6) return verifyScrypt(secret, parts)
  return false
}

/** A stored hash of an older scheme, to replace after a good login. */
export function needsRehash(stored: string): boolean {
  return !stored.startsWith('sha256$')
}

/** A fast fingerprint of a presented secret, for the verified-credentials cache (never stored). */
export function fingerprint(secret: string): string {
  return createHash('sha256').update(secret).digest('base64')
}

function digest(salt: Buffer, secret: string): Buffer {
  return createHash('sha256').update(salt).update(secret, 'utf8').digest()
}

async function verifyScrypt(secret: string, [, n, r, p, salt, key]: string[]): Promise<boolean> {
  const expected = Buffer.from(key ?? '', 'base64')
  const options: ScryptOptions = { N: Number(n), r: Number(r), p: Number(p), maxmem: 64 * 1024 * 1024 }
  const actual = await new Promise<Buffer>((resolve, reject) =>
    scryptCb(secret, Buffer.from(salt ?? '', 'base64'), expected.length, options, (err, k) =>
      err ? reject(err) : resolve(k)
    )
  ).catch(() => Buffer.alloc(0))
  return actual.length === expected.length && expected.length > 0 && timingSafeEqual(actual, expected)
}
