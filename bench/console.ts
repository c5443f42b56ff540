/**
 * Console pages with a fleet behind them: N devices (default 10,000) with sites across five outlets, a
 * year of orders (three done visits a device over the past year with scores, one open visit in the next
 * twelve weeks, some at risk, some dispatched for today), a month of hourly telemetry and a planning pass
 * for the device shown. Each page is opened in Debian's Chromium (playwright-core) by a signed-in person,
 * `--rounds` times, and timed from navigation to its content on screen. The baseline, measured in the same
 * run: the API requests the page makes, sent at once from Node with the same session — what the data
 * costs without a browser. Prints the median of each and the ratio.
 *   npm run bench -- console [--devices 10000] [--rounds 5]
 */
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { importDevices, People } from '../registry/index.js'
import { launchChromium } from './chromium.js'
import { benchInfluxd, startBenchAftercare } from './common.js'

const { values } = parseArgs({
  options: { devices: { type: 'string', default: '10000' }, rounds: { type: 'string', default: '5' } }
})
const n = Number(values.devices)
const rounds = Number(values.rounds)
const DAY = 86400000
const OUTLETS = ['sh-01', 'sh-02', 'gz-01', 'bj-01', 'cd-01']
const REGIONS = ['cn-east', 'cn-east', 'cn-south', 'cn-north', 'cn-west']
const PASSWORD = 'bench console password'
const day = (offset: number) => new Date(Date.now() + offset * DAY).toISOString().slice(0, 10)

/** Three done visits a device over the past year and one open visit in the next twelve weeks. */
function ordersOf(i: number, id: string, outlet: string, kind: string) {
  const part = kind === 'machine' ? 'engine_oil' : 'pp_sediment'
  const partNumber = kind === 'machine' ? 'EO-15W40-20L' : 'PP-400-05'
  const parts = [{ part, partNumber }]
  const rows = []
  for (let k = 0; k < 3; k++) {
    const at = -((i * 7 + k * 113) % 360) - 1
    rows.push({
      device_id: id,
      type: 'replacement',
      status: 'done',
      outlet,
      visit_day: day(at),
      deadline: day(at + 3),
      parts,
      reason: 'bench: a visit of the past year',
      completed_at: new Date(Date.now() + at * DAY).toISOString(),
      replaced_parts: [part],
      first_visit_fix: k !== 1,
      score_timeliness: (i + k) % 3 === 0 ? 1 : 2,
      score_quality: 2,
      score_attitude: 2,
      at_risk: false,
      technician: null
    })
  }
  const ahead = i % 84
  rows.push({
    device_id: id,
    type: i % 3 === 0 ? 'health_care' : 'replacement',
    status: ahead === 0 ? 'dispatched' : i % 4 === 0 ? 'scheduled' : 'proposed',
    outlet,
    visit_day: day(ahead),
    deadline: day(ahead + 10),
    parts,
    reason: `before the peak from ${day(100)}: ${part} (earliest end ${day(ahead + 5)})`,
    completed_at: null,
    replaced_parts: null,
    first_visit_fix: null,
    score_timeliness: null,
    score_quality: null,
    score_attitude: null,
    at_risk: i % 97 === 0,
    technician: ahead === 0 ? 'tech-1' : null
  })
  return rows
}

const { influxd, cleanUp } = await benchInfluxd('console')
const data = mkdtempSync(path.join(os.tmpdir(), 'aftercare-bench-console-data-'))
const app = await startBenchAftercare(data, influxd.url)
const browser = await launchChromium()
try {
  for (let k = 0; k < OUTLETS.length; k++)
    await app.outlets.upsert({
      code: OUTLETS[k] as string,
      regions: [REGIONS[k] as string],
      capacityPerDay: Math.ceil(n / OUTLETS.length / 84) + 4
    })
  const devices = Array.from({ length: n }, (_, i) => ({
    id: `con-${String(i).padStart(6, '0')}`,
    kind: i % 5 === 0 ? ('machine' as const) : ('purifier' as const),
    model: i % 5 === 0 ? 'PUMP-52' : 'RO-400',
    region: REGIONS[i % OUTLETS.length] as string,
    outlet: OUTLETS[i % OUTLETS.length] as string,
    deliveredOn: day(-400),
    site: { name: `Customer ${i}`, address: `${i} Garden Road`, phone: `021-5${String(i).padStart(7, '0')}` }
  }))
  for (let i = 0; i < n; i += 5000) {
    const result = await importDevices(app.registry, devices.slice(i, i + 5000), {})
    if (result.failed > 0) throw new Error(`import failed: ${JSON.stringify(result.errors.slice(0, 3))}`)
  }
  const orders = devices.flatMap((d, i) => ordersOf(i, d.id, d.outlet, d.kind))
  for (let i = 0; i < orders.length; i += 5000)
    await app.sql.query(
      `INSERT INTO orders (device_id, type, status, outlet, visit_day, deadline, parts, reason, completed_at, replaced_parts,
                           first_visit_fix, score_timeliness, score_quality, score_attitude, at_risk, technician)
       SELECT device_id, type, status, outlet, visit_day, deadline, parts, reason, completed_at, replaced_parts,
              first_visit_fix, score_timeliness, score_quality, score_attitude, at_risk, technician
         FROM jsonb_to_recordset($1::jsonb) AS t(device_id text, type text, status text, outlet text, visit_day date,
              deadline date, parts jsonb, reason text, completed_at timestamptz, replaced_parts jsonb, first_visit_fix boolean,
              score_timeliness int, score_quality int, score_attitude int, at_risk boolean, technician text)`,
      [JSON.stringify(orders.slice(i, i + 5000))]
    )
  // a month of hourly telemetry for the device whose page is opened, and a planning pass over the fleet
  const shown = devices[5] ?? devices[0]
  if (!shown) throw new Error('no devices')
  const info = await app.registry.getDevice(shown.id)
  const now = Date.now()
  const samples = Array.from({ length: 30 * 24 }, (_, h) => ({
    ts: now - (30 * 24 - h) * 3600000,
    seq: h + 1,
    litersTotal: 500 + h * 1.4,
    tdsIn: 220 + (h % 24),
    tdsOut: 12 + (h % 5)
  }))
  for (let i = 0; i < samples.length; i += 500)
    await app.ingest.handle(
      info,
      `devices/${shown.id}/telemetry`,
      Buffer.from(JSON.stringify({ samples: samples.slice(i, i + 500) }))
    )
  const token = (await app.registry.createAccount('bench-planner', ['planner'])).token
  const plan = await fetch(`${app.endpoints.api}/plan/run`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` }
  })
  if (!plan.ok) throw new Error(`planning pass: ${plan.status} ${await plan.text()}`)

  const people = new People(app.sql, { idleMinutes: 60, maxFailures: 5, lockMinutes: 15 })
  await people.add({ name: 'planner-1', role: 'planner', outlet: 'sh-01' }, PASSWORD)
  await people.add({ name: 'tech-1', role: 'technician', outlet: 'sh-01' }, PASSWORD)
  await people.add({ name: 'ops', role: 'planner', outlet: null }, PASSWORD)

  const mondayOf = (d: string) => day(-((new Date(`${d}T00:00:00Z`).getUTCDay() + 6) % 7))
  const monday = mondayOf(day(0))
  const pages: { name: string; user: string; hash: string; ready: string; requests: string[] }[] = [
    {
      name: 'the console shell alone (signed in, no page: what every page costs)',
      user: 'ops',
      hash: '#/none',
      ready: 'header.top',
      requests: ['/session']
    },
    {
      name: 'planner (week calendar, 13 weeks, late and at risk, parts, stock vs demand)',
      user: 'planner-1',
      hash: '#/planner',
      ready: '.calendar .visit',
      requests: [
        '/session',
        '/outlets',
        `/plan?from=${monday}&to=${day(13 * 7)}&outlet=sh-01`,
        `/orders?outlet=sh-01&from=${monday}&to=${day(7)}&status=proposed,scheduled,dispatched&sites=true&limit=2000`,
        '/orders?outlet=sh-01&status=proposed,scheduled,dispatched&atRisk=true&sites=true&limit=200',
        `/orders?outlet=sh-01&status=proposed,scheduled,dispatched&to=${day(-1)}&sites=true&limit=200`,
        '/outlets/sh-01/demand'
      ]
    },
    {
      name: 'technician today (phone)',
      user: 'tech-1',
      hash: '#/today',
      ready: 'li[data-order]',
      requests: ['/session', `/orders?status=dispatched&to=${day(0)}&sites=true&limit=200`]
    },
    {
      name: 'device (components, 30 days by hour, forecast, faults, orders)',
      user: 'planner-1',
      hash: `#/device/${shown.id}`,
      ready: '.chart canvas',
      requests: [
        '/session',
        `/devices/${shown.id}`,
        `/devices/${shown.id}/health`,
        `/devices/${shown.id}/telemetry?days=30`,
        `/orders?device=${shown.id}&status=proposed,scheduled,dispatched,done,cancelled&limit=100`
      ]
    },
    {
      name: 'quality (KPIs of every outlet, complaints)',
      user: 'ops',
      hash: '#/quality',
      ready: 'tr[data-outlet]',
      requests: ['/session', `/kpis?month=${day(0).slice(0, 7)}`, `/complaints?month=${day(0).slice(0, 7)}`]
    },
    {
      name: 'pipeline (dead letters, rates)',
      user: 'ops',
      hash: '#/pipeline',
      ready: '.tiles',
      requests: ['/session', '/dead-letters?limit=200', '/pipeline/stats']
    }
  ]
  const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN
  const rows: string[] = []
  for (const p of pages) {
    const context = await browser.newContext(
      p.user === 'tech-1'
        ? { viewport: { width: 390, height: 844 } }
        : { viewport: { width: 1440, height: 1000 } }
    )
    const signIn = await context.request.post(`${app.endpoints.api}/session`, {
      data: { name: p.user, password: PASSWORD }
    })
    if (!signIn.ok()) throw new Error(`sign-in ${p.user}: ${signIn.status()}`)
    const cookie = (await context.cookies()).map((c) => `${c.name}=${c.value}`).join('; ')
    const pageMs: number[] = []
    const dataMs: number[] = []
    for (let r = 0; r < rounds + 1; r++) {
      const page = await context.newPage()
      const t0 = performance.now()
      await page.goto(`${app.endpoints.api}/console/${p.hash}`)
      await page.waitForSelector(p.ready, { timeout: 60000 })
      const t1 = performance.now()
      await page.close()
      const t2 = performance.now()
      await Promise.all(
        p.requests.map(async (url) => {
          const res = await fetch(`${app.endpoints.api}${url}`, { headers: { cookie } })
          if (!res.ok) throw new Error(`${url}: ${res.status}`)
          await res.arrayBuffer()
        })
      )
      const t3 = performance.now()
      // the first round warms the browser's cache and the stores' plans: not counted
      if (r > 0) {
        pageMs.push(t1 - t0)
        dataMs.push(t3 - t2)
      }
    }
    await context.close()
    const [page, raw] = [median(pageMs), median(dataMs)]
    rows.push(`| ${p.name} | ${page.toFixed(0)} | ${raw.toFixed(0)} | ${(page / raw).toFixed(2)} |`)
  }
  console.log(
    `\nconsole: ${n.toLocaleString('en')} devices, ${orders.length.toLocaleString('en')} orders over a year and the next 12 weeks (PGlite, local influxd); median of ${rounds} loads\n`
  )
  console.log('| page | page on screen (ms) | its API requests alone (ms, baseline) | page / requests |')
  console.log('| --- | --- | --- | --- |')
  for (const r of rows) console.log(r)
} finally {
  await browser.close()
  await app.stop()
  rmSync(data, { recursive: true, force: true })
  await cleanUp()
}
