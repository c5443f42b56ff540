import { describe, expect, it } from 'vitest'
import { outletEnsurer } from '../../app/fleet-ports.js'

describe('simulated fleet: outlets before their devices', () => {
  it('when two devices of a new outlet are provisioned at once, then neither goes ahead before the outlet exists', async () => {
    const log: string[] = []
    let created = false
    const api = {
      request: async <T>(method: string, path: string): Promise<T> => {
        if (method === 'GET') return { outlets: [] } as T
        // creating the outlet takes a while
        await new Promise((r) => setTimeout(r, 20))
        created = true
        log.push(`${method} ${path}`)
        return {} as T
      }
    }
    const ensure = outletEnsurer(api, 4)
    const device = async (id: string) => {
      await ensure('sh-01', 'cn-east')
      log.push(`${id}: outlet ${created ? 'exists' : 'missing'}`)
    }
    await Promise.all([device('a'), device('b')])
    expect(log).toEqual(['PUT /outlets/sh-01', 'a: outlet exists', 'b: outlet exists'])
  })

  it('when a second region joins an outlet, then the outlet is extended once, after its creation', async () => {
    const puts: unknown[] = []
    const api = {
      request: async <T>(method: string, _path: string, body?: unknown): Promise<T> => {
        if (method === 'GET') return { outlets: [{ code: 'gz-01', regions: ['cn-south'] }] } as T
        await new Promise((r) => setTimeout(r, 5))
        puts.push(body)
        return {} as T
      }
    }
    const ensure = outletEnsurer(api, 4)
    await Promise.all([ensure('gz-01', 'cn-south'), ensure('gz-01', 'hk'), ensure('gz-01', 'hk')])
    expect(puts).toEqual([{ regions: ['cn-south', 'hk'], capacityPerDay: 4 }])
  })
})
