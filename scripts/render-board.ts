// npm run render-board [-- --board aftercare-purifier --out docs/board-purifier.png]
// Starts aftercare on a temp data folder (its own influxd and PGlite), backfills a small simulated fleet,
// runs the planning pass, runs one board's queries exactly as the proof does, draws each panel with
// ECharts (server-side SVG) and has headless Chromium take a PNG of the page. Needs `chromium`.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import * as echarts from 'echarts'
import { startAftercare } from '../app/index.js'
import { fleetPorts } from '../app/fleet-ports.js'
import { allBoards, checkBoard, type QueryCheck } from '../dashboards/index.js'
import { loadConfig, silentLogger } from '../shared/index.js'
import { backfill } from '../simulators/index.js'

const arg = (name: string, fallback: string) => {
  const at = process.argv.indexOf(`--${name}`)
  return at > 0 ? (process.argv[at + 1] ?? fallback) : fallback
}
const uid = arg('board', 'aftercare-purifier')
const out = arg('out', `docs/board-${uid.replace(/^aftercare-/, '')}.png`)
const kit = allBoards().find((k) => k.uid === uid)
if (!kit) throw new Error(`no board ${uid}`)

const dir = mkdtempSync(path.join(os.tmpdir(), 'aftercare-render-'))
const config = loadConfig(
  {},
  { AFTERCARE_DATA_DIR: dir, MQTT_PORT: 0, API_PORT: 0, LOG_LEVEL: 'silent', PLAN_EVERY_HOURS: 0 }
)
const app = await startAftercare(config, silentLogger)
try {
  const report = await backfill(fleetPorts(config), {
    seed: 7,
    devices: 40,
    days: 365,
    intervalMin: 120,
    batch: 500,
    concurrency: 10,
    prefix: 'demo'
  })
  console.log(`backfilled ${report.samplesSent} samples of ${report.devices} devices`)
  const token = app.createdAdminToken ?? ''
  await app.api.inject({ method: 'POST', url: '/plan/run', headers: { authorization: `Bearer ${token}` } })
  const board = kit.build()
  const checks = await checkBoard(board, app, Date.now(), { keepRows: true })
  const html = page(board.title ?? uid, board.panels ?? [], checks)
  const file = path.join(dir, 'board.html')
  writeFileSync(file, html)
  execFileSync('chromium', [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--hide-scrollbars',
    `--screenshot=${path.resolve(out)}`,
    '--window-size=1400,830',
    `file://${file}`
  ])
  console.log(`wrote ${out}`)
} finally {
  await app.stop()
  rmSync(dir, { recursive: true, force: true })
}

type PanelJson = { id?: number; title?: string; type?: string; gridPos?: { w: number } }

function page(title: string, panels: PanelJson[], checks: QueryCheck[]): string {
  const cells = panels.map((p) => {
    const mine = checks.filter((c) => c.where === `panel: ${p.title}`)
    const width = Math.round(((p.gridPos?.w ?? 12) / 24) * 1360) - 16
    const body = p.type === 'table' ? table(mine) : chart(mine, width)
    return `<section style="width:${width}px"><h2>${p.title}</h2>${body}</section>`
  })
  return `<!doctype html><html><head><meta charset="utf-8"><style>
body{font-family:sans-serif;background:#111217;color:#ccccdc;margin:12px}
h1{font-size:18px;margin:4px 8px} h2{font-size:13px;margin:4px 0 2px}
main{display:flex;flex-wrap:wrap;gap:8px} section{background:#181b1f;border:1px solid #2c3235;padding:6px}
table{border-collapse:collapse;font-size:12px;width:100%} td,th{border-bottom:1px solid #2c3235;padding:3px 6px;text-align:left}
</style></head><body><h1>${title} — the board's own queries on a simulated fleet in the real InfluxDB and PostgreSQL (npm run render-board)</h1>
<main>${cells.join('')}</main></body></html>`
}

function chart(checks: QueryCheck[], width: number): string {
  const series: echarts.SeriesOption[] = []
  for (const c of checks) {
    const records = c.records ?? []
    const valueColumns = Object.keys(records[0] ?? {}).filter(
      (k) => k !== 'time' && typeof records[0]?.[k] === 'number'
    )
    for (const col of valueColumns)
      series.push({
        name: col,
        type: 'line',
        showSymbol: false,
        lineStyle: col === 'low' || col === 'high' ? { type: 'dashed', width: 1 } : { width: 1.5 },
        data: records.filter((r) => typeof r[col] === 'number').map((r) => [Number(r.time), r[col] as number])
      })
  }
  const instance = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height: 260 })
  instance.setOption({
    backgroundColor: '#181b1f',
    textStyle: { color: '#ccccdc' },
    animation: false,
    legend: { top: 0, textStyle: { color: '#ccccdc' } },
    grid: { left: 50, right: 16, top: 28, bottom: 28 },
    xAxis: { type: 'time', axisLabel: { color: '#9fa7b3' } },
    yAxis: {
      type: 'value',
      scale: true,
      splitLine: { lineStyle: { color: '#2c3235' } },
      axisLabel: { color: '#9fa7b3' }
    },
    series
  })
  const svg = instance.renderToSVGString()
  instance.dispose()
  return svg
}

function table(checks: QueryCheck[]): string {
  const records = checks.flatMap((c) => c.records ?? [])
  const columns = Object.keys(records[0] ?? {}).filter((k) => k !== 'time')
  const cell = (k: string, v: unknown) =>
    k.endsWith('_ms') && typeof v === 'number'
      ? new Date(v).toISOString().slice(0, 10)
      : typeof v === 'number'
        ? Number(v.toFixed(3))
        : String(v ?? '')
  return `<table><tr>${columns.map((c) => `<th>${c}</th>`).join('')}</tr>${records
    .map((r) => `<tr>${columns.map((c) => `<td>${cell(c, r[c])}</td>`).join('')}</tr>`)
    .join('')}</table>`
}
