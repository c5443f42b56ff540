import { closeSync, openSync, readFileSync, writeSync } from 'node:fs'
import cliProgress from 'cli-progress'
import { parse } from 'csv-parse/sync'
import { AppError } from '../shared/index.js'
import type { ImportResult } from '../registry/index.js'
import type { ApiClient } from './api-client.js'

/** CSV columns of a fleet file and the field of `POST /devices/import` each fills. */
export const CSV_COLUMNS: Record<string, string> = {
  id: 'id',
  kind: 'kind',
  model: 'model',
  region: 'region',
  outlet: 'outlet',
  delivered_on: 'deliveredOn',
  site_name: 'site.name',
  site_address: 'site.address',
  site_phone: 'site.phone',
  site_lat: 'site.lat',
  site_lon: 'site.lon',
  secret: 'secret',
  secret_hash: 'secretHash'
}
const COLUMN_OF = new Map(Object.entries(CSV_COLUMNS).map(([column, field]) => [field, column]))

/** Rows a request carries: a progress step, and one transaction on the server. */
const CHUNK = 5000

export interface FleetImportOptions {
  partial?: boolean
  dryRun?: boolean
  /** Where the secrets of new devices go: a file created 0600 (never overwritten), or '-' for stdout. */
  secrets?: string
  /** Progress on stderr (a bar on a terminal). */
  progress?: boolean
}

/** What an import of a file did: the API's counts, with errors by file line and CSV column. */
export type FleetImportResult = Omit<ImportResult, 'errors' | 'secrets'> & {
  errors: { row: number; column: string; message: string }[]
  /** Where the new devices' secrets were written, when there were any. */
  secretsFile?: string
}

interface ChunkAnswer {
  created: number
  updated: number
  unchanged: number
  failed: number
  written: boolean
  errors: { row: number; field: string; message: string }[]
  secrets: { id: string; secret: string }[]
}

/**
 * Imports a fleet file (CSV with a header row, or JSON lines) through the API: every row is checked
 * first (nothing is written while any row is wrong, unless `partial`), then written in requests of
 * 5,000 rows, each one transaction; an interrupted import is finished by running it again (rows already
 * in are unchanged). Row numbers are the file's lines.
 */
export async function importFleetFile(
  api: ApiClient,
  file: string,
  options: FleetImportOptions = {}
): Promise<FleetImportResult> {
  const { rows, lineOf, errors } = readFleetFile(file)
  const seen = new Map<string, number>()
  rows.forEach((r, i) => {
    const id = (r as { id?: unknown }).id
    if (typeof id !== 'string') return
    const before = seen.get(id)
    if (before !== undefined)
      errors.push({ row: lineOf(i), column: 'id', message: `device ${id} is also on line ${before}` })
    else seen.set(id, lineOf(i))
  })

  let secretsOut: ReturnType<typeof openSecrets> | undefined
  const send = async (list: unknown[], line: (index: number) => number, dryRun: boolean, label: string) => {
    const total: ChunkAnswer = {
      created: 0,
      updated: 0,
      unchanged: 0,
      failed: 0,
      written: !dryRun,
      errors: [],
      secrets: []
    }
    const bar = progressBar(options.progress === true, label, list.length)
    for (let i = 0; i < list.length; i += CHUNK) {
      const answer = await api.request<ChunkAnswer>('POST', '/devices/import', {
        rows: list.slice(i, i + CHUNK),
        dryRun,
        partial: options.partial === true,
        firstRow: i + 1
      })
      total.created += answer.created
      total.updated += answer.updated
      total.unchanged += answer.unchanged
      total.failed += answer.failed
      total.written &&= answer.written
      // the server numbers rows from firstRow (1 = the first of the list): the file's line is found from that
      total.errors.push(...answer.errors.map((e) => ({ ...e, row: line(e.row - 1) })))
      if (answer.secrets.length > 0) secretsOut ??= openSecrets(options.secrets)
      for (const s of answer.secrets) secretsOut?.write(`${s.id},${s.secret}\n`)
      bar.update(Math.min(list.length, i + CHUNK))
    }
    bar.stop()
    return total
  }

  const checked = await send(rows, lineOf, true, 'checking')
  const allErrors = [...errors, ...checked.errors.map(toColumn)].sort((a, b) => a.row - b.row)
  const badLines = new Set(allErrors.map((e) => e.row))
  if (options.dryRun || (badLines.size > 0 && !options.partial))
    return { rows: rows.length, ...counts(checked), failed: badLines.size, written: false, errors: allErrors }

  // partial: the rows the file itself got wrong stay out; the server leaves out the rest of the bad ones
  const lines = rows.map((_, i) => lineOf(i))
  const keep = lines.map((l, i) => (errors.some((e) => e.row === l) ? -1 : i)).filter((i) => i >= 0)
  try {
    const written = await send(
      keep.map((i) => rows[i]),
      (j) => lines[keep[j] ?? 0] ?? j + 1,
      false,
      'importing'
    )
    return {
      rows: rows.length,
      ...counts(written),
      failed: badLines.size,
      written: true,
      errors: allErrors,
      secretsFile: secretsOut?.path
    }
  } finally {
    secretsOut?.close()
  }
}

function counts(a: ChunkAnswer) {
  return { created: a.created, updated: a.updated, unchanged: a.unchanged }
}

function toColumn(e: { row: number; field: string; message: string }) {
  const field = e.field.replace(/\.\d+$/, '')
  return { row: e.row, column: COLUMN_OF.get(field) ?? field, message: e.message }
}

/** The rows of a fleet file as import rows, the file line of each, and what is wrong with the file itself. */
export function readFleetFile(file: string): {
  rows: unknown[]
  lineOf: (index: number) => number
  errors: { row: number; column: string; message: string }[]
} {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (err) {
    throw new AppError('IMPORT_INVALID', `cannot read ${file}: ${(err as Error).message}`)
  }
  const errors: { row: number; column: string; message: string }[] = []
  if (/\.jsonl?$|\.ndjson$/i.test(file) || text.trimStart().startsWith('{')) {
    const rows: unknown[] = []
    const lines: number[] = []
    text.split('\n').forEach((line, i) => {
      if (!line.trim()) return
      try {
        rows.push(JSON.parse(line))
      } catch (err) {
        errors.push({ row: i + 1, column: '(line)', message: `not JSON: ${(err as Error).message}` })
        rows.push({})
      }
      lines.push(i + 1)
    })
    return { rows, lineOf: (i) => lines[i] ?? i + 1, errors }
  }
  let records: Record<string, string>[]
  try {
    records = parse(text, { columns: true, skip_empty_lines: true, trim: true, bom: true })
  } catch (err) {
    throw new AppError('IMPORT_INVALID', `${file}: ${(err as Error).message}`)
  }
  const header = Object.keys(records[0] ?? {})
  const unknown = header.filter((c) => !(c in CSV_COLUMNS))
  if (unknown.length > 0)
    throw new AppError(
      'IMPORT_INVALID',
      `${file}: unknown column${unknown.length === 1 ? '' : 's'} ${unknown.join(', ')}; the columns are ${Object.keys(CSV_COLUMNS).join(', ')}`
    )
  // the header is line 1; a record on line n+2 (quoted newlines inside a field are not expected here)
  const rows = records.map((record, i) => rowOf(record, i + 2, errors))
  return { rows, lineOf: (i) => i + 2, errors }
}

function rowOf(
  record: Record<string, string>,
  line: number,
  errors: { row: number; column: string; message: string }[]
): unknown {
  const row: Record<string, unknown> = {}
  const site: Record<string, unknown> = {}
  for (const [column, value] of Object.entries(record)) {
    if (value === '') continue
    const field = CSV_COLUMNS[column] as string
    if (field.startsWith('site.')) {
      const key = field.slice(5)
      if (key === 'lat' || key === 'lon') {
        const n = Number(value)
        if (!Number.isFinite(n)) errors.push({ row: line, column, message: `not a number: ${value}` })
        site[key] = Number.isFinite(n) ? n : value
      } else site[key] = value
    } else row[field] = value
  }
  if (Object.keys(site).length > 0) row.site = site
  return row
}

function openSecrets(target = `device-secrets-${new Date().toISOString().replace(/[:.]/g, '')}.csv`) {
  if (target === '-')
    return { path: '(standard output)', write: (s: string) => process.stdout.write(s), close: () => {} }
  // 0600 and never over an existing file: these are the only copies of the new devices' secrets
  const fd = openSync(target, 'wx', 0o600)
  writeSync(fd, 'id,secret\n')
  return { path: target, write: (s: string) => writeSync(fd, s), close: () => closeSync(fd) }
}

function progressBar(show: boolean, label: string, total: number) {
  if (!show) return { update: (_n: number) => {}, stop: () => {} }
  const bar = new cliProgress.SingleBar(
    {
      format: `${label.padEnd(9)} [{bar}] {percentage}% | {value}/{total} rows | {rate} rows/s | ETA {eta_formatted}`,
      stream: process.stderr,
      noTTYOutput: !process.stderr.isTTY,
      notTTYSchedule: 5000
    },
    cliProgress.Presets.legacy
  )
  const started = Date.now()
  bar.start(total, 0, { rate: 0 })
  return {
    update: (n: number) =>
      bar.update(n, { rate: Math.round(n / Math.max(0.001, (Date.now() - started) / 1000)) }),
    stop: () => bar.stop()
  }
}
