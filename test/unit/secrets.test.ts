import { describe, expect, it } from 'vitest'
import { generateSecret, hashSecret, needsRehash, verifySecret } from '../../registry/secrets.js'

describe('device secrets', () => {
  it('when a secret is hashed, then the right secret verifies, a wrong one does not, and the same secret hashes differently each time', async () => {
    const secret = generateSecret()
    expect(Buffer.from(secret, 'base64url').length).toBe(24) // 192 random bits
    const [a, b] = [await hashSecret(secret), await hashSecret(secret)]
    expect(a).toMatch(/^sha256\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/)
    expect(a).not.toBe(b)
    expect(a).not.toContain(secret)
    expect(await verifySecret(secret, a)).toBe(true)
    expect(await verifySecret(secret, b)).toBe(true)
    expect(await verifySecret(`${secret}x`, a)).toBe(false)
    expect(await verifySecret(generateSecret(), a)).toBe(false)
    expect(needsRehash(a)).toBe(false)
  })

  it('when a stored hash is malformed or of an unknown scheme, then nothing verifies against it', async () => {
    const secret = generateSecret()
    for (const stored of ['', 'sha256', 'sha256$$', `md5$x$${secret}`, 'scrypt$1$1$1$$', `plain$${secret}`])
      expect(await verifySecret(secret, stored)).toBe(false)
  })
})
