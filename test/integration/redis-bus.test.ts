import { describe, expect, inject, it } from 'vitest'
import { sessionBackend } from '../../broker/index.js'

interface Bus {
  on(topic: string, handler: (message: { topic: string }, done: () => void) => void, ready: () => void): void
  emit(message: { topic: string; payload: Buffer }, done: (err?: Error) => void): void
  close(done: () => void): void
}

describe('the message bus on Redis (cluster mode)', () => {
  it('when the bus subscribes while its Redis connection is still opening (a node starting), then Redis takes it and no handshake command is refused in subscriber mode', async () => {
    const uncaught: unknown[] = []
    const keep = (err: unknown) => uncaught.push(err)
    process.on('uncaughtException', keep)
    try {
      for (let round = 0; round < 40; round++) {
        const backend = sessionBackend({ kind: 'redis', url: `${inject('redisUrl')}/2` })
        const bus = backend.mq as Bus
        // a few rounds each at 0–3 ms after the connection began: one of them lands in its handshake
        await new Promise((resolve) => setTimeout(resolve, round % 4))
        const got = new Promise<string>((resolve) => {
          // subscribed while the connection is still opening (as a node starting does)
          bus.on(
            `t/${round}`,
            (message, done) => {
              done()
              resolve(message.topic)
            },
            () => bus.emit({ topic: `t/${round}`, payload: Buffer.from('x') }, () => undefined)
          )
        })
        expect(await got).toBe(`t/${round}`)
        await new Promise<void>((resolve) => bus.close(resolve))
        await backend.close()
      }
    } finally {
      process.off('uncaughtException', keep)
    }
    expect(uncaught).toEqual([])
  })
})
