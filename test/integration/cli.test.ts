import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { buildCli } from '../../app/cli.js'
import type { Order } from '../../maintenance/index.js'
import { startTestAftercare, type TestAftercare } from '../helpers/aftercare.js'

describe('the management CLI against a running aftercare', () => {
  let app: TestAftercare
  const ids: number[] = []

  /** Runs `aftercare …` in this process and returns what it printed. */
  async function cli(...args: string[]): Promise<string> {
    const lines: string[] = []
    const spy = vi.spyOn(console, 'log').mockImplementation((...parts: unknown[]) => {
      lines.push(parts.join(' '))
    })
    try {
      await buildCli()
        .exitOverride()
        .parseAsync(['node', 'aftercare', ...args, '--api', app.endpoints.api, '--token', app.adminToken])
    } finally {
      spy.mockRestore()
    }
    return lines.join('\n')
  }

  beforeAll(async () => {
    app = await startTestAftercare()
    await app.provision({ id: 'cli-1' })
    await app.provision({ id: 'cli-far', region: 'xx-nowhere', outlet: null })
    for (let i = 0; i < 5; i++) {
      const { rows } = await app.sql.query<{ id: string }>(
        `INSERT INTO orders (device_id, type, outlet, visit_day, deadline, parts, reason)
         VALUES ('cli-1', 'replacement', 'sh-01', current_date + $1::int, current_date + 20, '[{"part":"pp_sediment","partNumber":"PP-400-05"}]', 'test')
         RETURNING id`,
        [i + 1]
      )
      ids.push(Number(rows[0]?.id))
    }
  })
  afterAll(async () => app?.close())

  it('when orders are listed a page at a time, then each page says how many it showed of how many and where the next begins', async () => {
    const first = await cli('orders', 'list', '--device', 'cli-1', '--status', 'proposed', '--limit', '2')
    expect(first).toMatch(/^id +visit +deadline +status +type +device/)
    expect(first).toContain(`${ids[0]} `)
    const next = /showing 2 of 5 — next page: --cursor (\S+)/.exec(first)?.[1]
    expect(next).toBeDefined()
    const second = await cli('orders', 'list', '--device', 'cli-1', '--limit', '2', '--cursor', next ?? '')
    expect(second).toContain(`${ids[2]} `)
    expect(second).not.toContain(`\n${ids[0]} `)
    const cursor = /--cursor (\S+)/.exec(second)?.[1] ?? ''
    const last = await cli('orders', 'list', '--device', 'cli-1', '--limit', '2', '--cursor', cursor)
    expect(last).toMatch(/showing 1 of 5$/)
  })

  it('when a visit is scheduled, dispatched and completed from the CLI, then the order is done with its parts and scores', async () => {
    const id = String(ids[0])
    expect(await cli('orders', 'schedule', id, '--technician', 'li-wei')).toMatch(/scheduled/)
    expect(await cli('orders', 'dispatch', id)).toMatch(/dispatched +replacement +cli-1 +sh-01 +li-wei/)
    expect(
      await cli('orders', 'complete', id, '--parts', 'pp_sediment', '--ffr', 'yes', '--scores', 'A,B,A')
    ).toMatch(/done/)
    const order = JSON.parse(await cli('orders', 'show', id, '--json')) as Order
    expect(order.technician).toBe('li-wei')
    expect(order.completion).toMatchObject({
      replacedParts: ['pp_sediment'],
      firstVisitFix: true,
      scores: { timeliness: 2, quality: 1, attitude: 2 }
    })
  })

  it('when a person is added from the CLI, then a password is printed once, they can sign in, and the list shows them', async () => {
    const added = await cli('users', 'add', '--name', 'li-wei', '--role', 'technician', '--outlet', 'sh-01')
    expect(added).toContain('added li-wei (technician, outlet sh-01)')
    const password = /password: (\S+)/.exec(added)?.[1] ?? ''
    expect(password.length).toBeGreaterThanOrEqual(16)
    const session = await app.api.inject({
      method: 'POST',
      url: '/session',
      payload: { name: 'li-wei', password }
    })
    expect(session.statusCode).toBe(200)
    expect(await cli('users', 'list')).toMatch(/li-wei +technician +sh-01 +active/)
    await expect(cli('users', 'add', '--name', 'li-wei', '--role', 'planner')).rejects.toThrow(/exists/)
    await expect(
      cli('users', 'add', '--name', 'x-1', '--role', 'planner', '--outlet', 'nowhere')
    ).rejects.toThrow(/unknown outlet nowhere/)
  })

  it('when no outlet covers a device’s region, then dispatch says which region and the command that adds an outlet', async () => {
    const { rows } = await app.sql.query<{ id: string }>(
      `INSERT INTO orders (device_id, type, status, visit_day, deadline, reason)
       VALUES ('cli-far', 'urgent', 'scheduled', current_date + 1, current_date + 2, 'test') RETURNING id`
    )
    await expect(cli('orders', 'dispatch', String(rows[0]?.id))).rejects.toThrow(
      /no outlet covers region xx-nowhere; add one: aftercare outlets add <code> --regions xx-nowhere/
    )
  })
})
