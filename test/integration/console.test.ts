import { execFileSync } from 'node:child_process'
import { mkdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { launchChromium } from '../../bench/chromium.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { adminTokenFile } from '../../app/index.js'
import type { Order } from '../../maintenance/index.js'
import { connectDevice, publishAcked } from '../helpers/aftercare.js'
import {
  aftercareEnv,
  asAdmin,
  processesInTempDir,
  provisionOverApi,
  type AftercareProcess
} from '../helpers/process.js'

const PASSWORD = 'console test password'
const SHOTS = path.resolve('docs/console')
const DAY = 86400000
const today = () => new Date().toISOString().slice(0, 10)
const mondayOf = (day: string) =>
  new Date(Date.parse(day) - ((new Date(day).getUTCDay() + 6) % 7) * DAY).toISOString().slice(0, 10)

describe('the console in a real browser, against a real aftercare start with a simulated fleet', () => {
  const procs = processesInTempDir()
  let aftercare: AftercareProcess
  let browser: Browser
  let base = ''
  let outlet = ''
  let otherOutlet = ''
  let target: Order
  const api = async <T>(method: 'GET' | 'POST' | 'PUT', url: string, body?: object) =>
    (await (await asAdmin(procs.dir, aftercare.apiPort, method, url, body)).json()) as T

  const signIn = async (page: Page, name: string) => {
    await page.goto(`${base}/console/`)
    await page.fill('input[name=name]', name)
    await page.fill('input[name=password]', PASSWORD)
    await page.click('button[type=submit]')
    await page.waitForSelector('header.top')
  }

  beforeAll(async () => {
    // the console as the project's own build makes it
    execFileSync(process.execPath, ['scripts/build-console.mjs'])
    mkdirSync(SHOTS, { recursive: true })
    const { env } = await aftercareEnv(procs.dir)
    aftercare = await procs.spawn(env)
    base = `http://127.0.0.1:${aftercare.apiPort}`
    // a small fleet with a year of history, through the broker
    execFileSync(
      process.execPath,
      [
        '--import',
        'tsx',
        'app/main.ts',
        'simulate',
        'backfill',
        '--data-dir',
        procs.dir,
        '--devices',
        '30',
        '--days',
        '365',
        '--interval',
        '240',
        '--seed',
        '11'
      ],
      { stdio: 'pipe', timeout: 240000, maxBuffer: 64 * 1024 * 1024 }
    )
    await api('POST', '/plan/run')
    // the outlet with the most proposed visits coming up, and one of them on a day other than today
    const horizon = new Date(Date.now() + 12 * 7 * DAY).toISOString().slice(0, 10)
    const { orders } = await api<{ orders: Order[] }>(
      'GET',
      `/orders?status=proposed&from=${today()}&to=${horizon}&limit=5000`
    )
    const counts = new Map<string, number>()
    for (const o of orders) if (o.outlet) counts.set(o.outlet, (counts.get(o.outlet) ?? 0) + 1)
    outlet = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? ''
    otherOutlet = [...counts.keys()].find((o) => o !== outlet) ?? ''
    const candidate = orders.find(
      (o) =>
        o.outlet === outlet && o.visitDay !== today() && o.parts.length > 0 && (o.deadline ?? '') >= today()
    )
    if (!candidate || !otherOutlet) throw new Error('the simulated fleet proposed no visit to work with')
    target = candidate
    // the customer sites of the outlet's devices (personal data: the console shows them to the outlet)
    const { devices } = await api<{ devices: Record<string, unknown>[] }>(
      'GET',
      `/devices?outlet=${outlet}&limit=1000`
    )
    await api('POST', '/devices/import', {
      rows: devices.map((d, i) => ({
        id: d.id,
        kind: d.kind,
        model: d.model,
        region: d.region,
        outlet: d.outlet,
        deliveredOn: d.deliveredOn ?? undefined,
        site: { name: `Customer ${i + 1}`, address: `${i + 10} Garden Road`, phone: `021-5550-${1000 + i}` }
      }))
    })
    for (const [name, role, at] of [
      ['planner-a', 'planner', outlet],
      ['tech-a', 'technician', outlet],
      ['tech-b', 'technician', otherOutlet],
      ['ops', 'planner', undefined]
    ])
      await api('POST', '/users', { name, role, outlet: at, password: PASSWORD })
    // something for the pipeline page to show: a device's sample that cannot be stored
    const secret = await provisionOverApi(procs.dir, aftercare.apiPort, 'pur-bad')
    const device = await connectDevice(aftercare.mqttPort, 'pur-bad', secret)
    await publishAcked(
      device,
      'devices/pur-bad/telemetry',
      JSON.stringify({ ts: Date.now(), seq: 1, tdsIn: -5 })
    )
    device.end(true)
    browser = await launchChromium()
  }, 300000)

  afterAll(async () => {
    await browser?.close()
    await procs.stopAll()
  })

  it('when a planner signs in, then they see their outlet’s visits, move one to today, schedule and dispatch it; a day past the deadline is refused with the reason', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } })
    await page.goto(`${base}/console/`)
    await page.waitForSelector('form.sign-in')
    await page.screenshot({ path: path.join(SHOTS, 'sign-in.png') })
    await signIn(page, 'planner-a')
    await expect.poll(() => page.locator('.pill').first().textContent()).toContain(outlet)
    // the week of the visit, picked on the strip of 13 weeks
    const weekIndex = Math.round(
      (Date.parse(mondayOf(target.visitDay ?? today())) - Date.parse(mondayOf(today()))) / (7 * DAY)
    )
    await page.locator('nav.weeks button').nth(weekIndex).click()
    const card = page.locator(`.calendar button.visit[data-order="${target.id}"]`)
    await card.waitFor()
    await card.click()
    const panel = page.locator(`.order-panel[data-order="${target.id}"]`)
    await expect.poll(() => panel.locator('.reason').textContent()).toBe(target.reason)

    // a part of the unserviced year that has already run out: said in the past, not as to come
    const gone = (await api<{ orders: Order[] }>('GET', `/orders?outlet=${outlet}&limit=5000`)).orders.find(
      (o) => o.atRisk && o.expectedRunOut !== null && o.expectedRunOut < today()
    )
    expect(gone, 'an order whose part ran out before today').toBeDefined()
    await page.locator(`.attention button.visit[data-order="${gone!.id}"]`).click()
    const gonePanel = page.locator(`.order-panel[data-order="${gone!.id}"]`)
    await expect
      .poll(() => gonePanel.locator('dd.error').first().textContent())
      .toContain('the part ran out on')
    expect(await gonePanel.locator('.reason').textContent()).toMatch(/^late: ran out /)
    await card.click()

    // past the deadline: the API's reason is shown and nothing changes
    const late = new Date(Date.parse(target.deadline ?? today()) + DAY).toISOString().slice(0, 10)
    await panel.locator('input[name=visitDay]').fill(late)
    await panel.locator('button', { hasText: 'Move' }).click()
    await expect.poll(() => panel.locator('.error[role=alert]').textContent()).toContain('after its deadline')
    expect((await api<Order>('GET', `/orders/${target.id}`)).status).toBe('proposed')

    await panel.locator('input[name=visitDay]').fill(today())
    await panel.locator('button', { hasText: 'Move' }).click()
    await expect.poll(async () => (await api<Order>('GET', `/orders/${target.id}`)).status).toBe('scheduled')
    expect((await api<Order>('GET', `/orders/${target.id}`)).visitDay).toBe(today())
    await page.locator('nav.weeks button').first().click()
    await page.locator(`.calendar button.visit[data-order="${target.id}"]`).click()
    await panel.locator('input[name=technician]').fill('tech-a')
    await panel.locator('button', { hasText: 'Dispatch' }).click()
    await expect.poll(async () => (await api<Order>('GET', `/orders/${target.id}`)).status).toBe('dispatched')
    expect((await api<Order>('GET', `/orders/${target.id}`)).technician).toBe('tech-a')
    await page.screenshot({ path: path.join(SHOTS, 'planner.png'), fullPage: true })
    await page.close()
  })

  it('when the technician completes the visit on a phone, then a failed submit keeps what was typed and the next one records it', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true })
    const page = await context.newPage()
    await signIn(page, 'tech-a')
    const visit = page.locator(`li[data-order="${target.id}"]`)
    await visit.waitFor()
    expect(await visit.locator('.site').textContent()).toMatch(/Customer \d+/)
    await visit.locator('button', { hasText: 'Complete' }).click()
    const form = visit.locator('form.completion')
    // the order's parts come ticked, chosen from the device's model
    for (const p of target.parts)
      expect(await form.locator(`input[value="${p.part}"]`).isChecked()).toBe(true)
    await form.locator('select[name=timeliness]').selectOption('B')
    await form.locator('textarea[name=note]').fill('replaced as planned; customer present')
    await page.screenshot({ path: path.join(SHOTS, 'technician.png'), fullPage: true })

    await context.setOffline(true)
    await form.locator('button[type=submit]').click()
    await expect.poll(() => form.locator('.error[role=alert]').textContent()).toContain('Not saved')
    expect(await form.locator('textarea[name=note]').inputValue()).toBe(
      'replaced as planned; customer present'
    )
    expect((await api<Order>('GET', `/orders/${target.id}`)).status).toBe('dispatched')
    // even a reload keeps the draft
    await context.setOffline(false)
    await page.reload()
    await visit.locator('button', { hasText: 'Complete' }).click()
    expect(await form.locator('textarea[name=note]').inputValue()).toBe(
      'replaced as planned; customer present'
    )
    expect(await form.locator('select[name=timeliness]').inputValue()).toBe('B')
    await form.locator('button[type=submit]').click()
    await expect.poll(async () => (await api<Order>('GET', `/orders/${target.id}`)).status).toBe('done')
    const done = await api<Order>('GET', `/orders/${target.id}`)
    expect(done.completion).toMatchObject({
      firstVisitFix: true,
      note: 'replaced as planned; customer present'
    })
    expect(done.completion?.replacedParts.sort()).toEqual(target.parts.map((p) => p.part).sort())
    await context.close()
  })

  it('when the planner looks again, then the KPI counts the job (warned since this month for its complaint) and the device page shows the replaced part reset', async () => {
    await api('POST', `/orders/${target.id}/complaints`, {
      category: 'timeliness',
      text: 'came an hour late'
    })
    await api('POST', '/plan/run')
    const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } })
    await signIn(page, 'planner-a')
    await page.goto(`${base}/console/#/quality`)
    const row = page.locator(`tr[data-outlet="${outlet}"]`)
    await row.waitFor()
    expect(await row.locator('td').nth(1).textContent()).toBe('1')
    expect(await row.locator('td').nth(2).textContent()).toContain('B')
    // one complaint in one job is far above 10 per million: warned, since this month
    await expect
      .poll(() => row.locator('td').last().textContent())
      .toBe(`warning since ${today().slice(0, 7)}`)
    expect(await page.locator('.quality').textContent()).toContain('came an hour late')
    await page.screenshot({ path: path.join(SHOTS, 'quality.png'), fullPage: true })

    // the boards' order rows link to the order's own page
    await page.goto(`${base}/console/#/order/${target.id}`)
    await expect.poll(() => page.locator('.order-panel').textContent()).toContain('done')

    await page.goto(`${base}/console/#/device/${target.deviceId}`)
    const part = target.parts[0]?.part ?? ''
    const used = page.locator(`tr[data-part="${part}"] .used`)
    await used.waitFor()
    expect(Number.parseFloat((await used.textContent()) ?? '100')).toBeLessThan(5)
    await page.waitForSelector('.chart canvas')
    await page.screenshot({ path: path.join(SHOTS, 'device.png'), fullPage: true })

    await page.close()
  })

  it('when an operator of every outlet opens the pipeline, then the dead letter shows with its reason and the rates are measured', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 800 } })
    await signIn(page, 'ops')
    await page.goto(`${base}/console/#/pipeline`)
    await expect.poll(() => page.locator('.pipeline table tbody').textContent()).toContain('pur-bad')
    await page.locator('input[name=device]').fill('pur-bad')
    await page.locator('input[name=device]').press('Enter')
    await expect.poll(() => page.locator('.pipeline table tbody tr').count()).toBe(1)
    // the second poll of the counters gives the rates
    await expect
      .poll(() => page.locator('.tiles strong').first().textContent(), { timeout: 15000 })
      .toMatch(/\d/)
    await page.screenshot({ path: path.join(SHOTS, 'pipeline.png'), fullPage: true })
    await page.close()
  })

  it('when a technician of another outlet opens this outlet’s device or order, then the page and the API say it does not exist', async () => {
    const page = await browser.newPage()
    await signIn(page, 'tech-b')
    await page.goto(`${base}/console/#/device/${target.deviceId}`)
    await expect.poll(() => page.locator('.error[role=alert]').textContent()).toContain('not registered')
    const status = await page.evaluate(
      async (id) => (await fetch(`/orders/${id}`, { credentials: 'same-origin' })).status,
      target.id
    )
    expect(status).toBe(404)
    expect(await page.content()).not.toContain('Garden Road')
    await page.close()
  })

  it('when the pages are served, then none embeds a token or a password, and the session cookie cannot be read by a script', async () => {
    const page = await browser.newPage()
    await signIn(page, 'planner-a')
    expect(await page.evaluate(() => document.cookie)).toBe('')
    const stored = await page.evaluate(() => JSON.stringify({ ...localStorage, ...sessionStorage }))
    const token = readFileSync(adminTokenFile(procs.dir), 'utf8').trim()
    const assets = await Promise.all(
      ['/console/', '/console/console.js', '/console/console.css'].map(async (p) =>
        (await fetch(`${base}${p}`)).text()
      )
    )
    for (const text of [...assets, stored, await page.content()]) {
      expect(text).not.toContain(token)
      expect(text).not.toContain(PASSWORD)
    }
    const headers = (await fetch(`${base}/console/`)).headers
    expect(headers.get('content-security-policy')).toContain("frame-ancestors 'none'")
    await page.close()
  })
})
