import { createRequire } from 'node:module'
import type { Readable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { noRetainedScanForCommands } from '../../broker/sessions.js'

const require = createRequire(import.meta.url)

interface MemoryPersistence {
  setup(broker: unknown): Promise<void>
  storeRetained(packet: unknown): Promise<void>
  createRetainedStreamCombi(patterns: string[]): Readable
  destroy(): Promise<void>
}

async function topicsOf(stream: Readable): Promise<string[]> {
  const out: string[] = []
  for await (const packet of stream) out.push((packet as { topic: string }).topic)
  return out.sort()
}

describe('retained lookups on SUBSCRIBE', () => {
  it('when a device subscribes to its commands, then the retained messages are not scanned; when a service subscribes to statuses, then it gets every retained status', async () => {
    const persistence = (require('aedes-persistence') as () => MemoryPersistence)()
    await persistence.setup({ id: 'test-broker' })
    for (const id of ['d1', 'd2'])
      await persistence.storeRetained({
        cmd: 'publish',
        topic: `devices/${id}/status`,
        payload: Buffer.from('online'),
        qos: 1,
        retain: true
      })
    let scans = 0
    const scan = persistence.createRetainedStreamCombi.bind(persistence)
    persistence.createRetainedStreamCombi = (patterns) => (scans++, scan(patterns))
    const guarded = noRetainedScanForCommands(persistence)

    expect(await topicsOf(guarded.createRetainedStreamCombi(['devices/d1/commands']))).toEqual([])
    expect(await topicsOf(guarded.createRetainedStreamCombi(['devices/d1/commands/#']))).toEqual([])
    expect(scans).toBe(0)
    expect(await topicsOf(guarded.createRetainedStreamCombi(['devices/+/status']))).toEqual([
      'devices/d1/status',
      'devices/d2/status'
    ])
    expect(await topicsOf(guarded.createRetainedStreamCombi(['devices/d1/commands', 'devices/#']))).toEqual([
      'devices/d1/status',
      'devices/d2/status'
    ])
    expect(scans).toBe(2)
  })
})
