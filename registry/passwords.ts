import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto'

/**
 * People's passwords are memorised secrets, so (unlike device secrets and tokens, see secrets.ts) they
 * are stored with a memory-hard KDF: scrypt with N = 2^15, r = 8 (32 MiB a guess), the parameters
 * OWASP's password storage cheat sheet gives for scrypt. The parameters are stored with each hash so
 * they can be raised later without breaking older hashes.
 */
const PARAMS = { N: 2 ** 15, r: 8, p: 1 }
const KEY_BYTES = 32
const MAX_MEM = 128 * 1024 * 1024

/** The shortest password a person may choose (NIST SP 800-63B: at least 8; we ask for 10). */
export const MIN_PASSWORD_LENGTH = 10

/** `scrypt$N$r$p$salt$key`: all that is stored of a password. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16)
  const key = await derive(password, salt, PARAMS, KEY_BYTES)
  return ['scrypt', PARAMS.N, PARAMS.r, PARAMS.p, salt.toString('base64'), key.toString('base64')].join('$')
}

/** Checks a password against its stored hash in constant time; a malformed hash never matches. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, key] = stored.split('$')
  if (scheme !== 'scrypt' || !salt || !key) return false
  const expected = Buffer.from(key, 'base64')
  const actual = await derive(
    password,
    Buffer.from(salt, 'base64'),
    {
      N: Number(n),
      r: Number(r),
      p: Number(p)
    },
    expected.length
  ).catch(() => Buffer.alloc(0))
  return expected.length > 0 && actual.length === expected.length && timingSafeEqual(actual, expected)
}

/** A password for a new person, shown once (they may change it); 16 random characters. */
export function generatePassword(): string {
  return randomBytes(12).toString('base64url')
}

function derive(password: string, salt: Buffer, params: ScryptOptions, bytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scryptCb(password, salt, bytes, { ...params, maxmem: MAX_MEM }, (err, key) =>
      err ? reject(err) : resolve(key)
    )
  )
}
