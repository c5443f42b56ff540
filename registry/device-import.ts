import { z } from 'zod'
import type { DeviceWithSecret, ImportedDevice, Site } from './device-store.js'
import { generateSecret, hashSecret, verifySecret } from './secrets.js'
import { newDeviceSchema } from './device-schemas.js'
import type { Registry } from './registry.js'

/**
 * A stored hash of a device's existing secret, in one of the formats aftercare verifies:
 * `sha256$<salt, base64>$<SHA-256(salt bytes ‖ secret as UTF-8), base64>` or
 * `scrypt$<N>$<r>$<p>$<salt, base64>$<key, base64>`.
 */
const secretHashSchema = z
  .string()
  .regex(
    /^(sha256\$[A-Za-z0-9+/]+={0,2}\$[A-Za-z0-9+/]{43}=|scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9+/]+={0,2}\$[A-Za-z0-9+/]+={0,2})$/,
    'sha256$<salt base64>$<digest base64> or scrypt$N$r$p$<salt base64>$<key base64>'
  )

/** One row of a fleet import: a device as `POST /devices` takes it, optionally with its existing secret. */
export const importRowSchema = newDeviceSchema
  .extend({
    secret: z
      .string()
      .min(16, 'an existing secret must have at least 16 characters (it is stored as one salted SHA-256)')
      .max(256)
      .optional()
      .describe('the secret the device already uses, so it keeps its credentials'),
    secretHash: secretHashSchema.optional().describe('or the stored hash of that secret')
  })
  .strict()
  .refine((r) => !(r.secret && r.secretHash), {
    message: 'give secret or secretHash, not both',
    path: ['secretHash']
  })

export type ImportRow = z.infer<typeof importRowSchema>

/** Something wrong with a row: its number (the first row is `firstRow`), the field, and what was expected. */
export interface RowError {
  row: number
  field: string
  message: string
}

export interface ImportResult {
  rows: number
  created: number
  updated: number
  unchanged: number
  /** Rows refused (each in `errors`). */
  failed: number
  /** Whether anything was written: false for a dry run, or when a row failed and the import was not partial. */
  written: boolean
  errors: RowError[]
  /** The secrets issued to new devices that brought none: shown this once. */
  secrets: { id: string; secret: string }[]
}

/**
 * Imports a fleet: every row is validated first (its fields, the catalogue's models and the outlets, a
 * device's kind against what is stored, ids repeated in the import), then all of them are written in one
 * transaction — nothing at all when a row fails, unless `partial`, which writes the good rows. Importing
 * the same rows again changes nothing; a row that differs updates its device (a new secret or hash ends
 * the device's live sessions).
 */
export async function importDevices(
  registry: Registry,
  input: readonly unknown[],
  options: { partial?: boolean; dryRun?: boolean; firstRow?: number } = {}
): Promise<ImportResult> {
  const first = options.firstRow ?? 1
  const errors: RowError[] = []
  const check = await registry.deviceCheck()
  const rows: { at: number; row: ImportRow }[] = []
  const seen = new Set<string>()
  input.forEach((raw, i) => {
    const at = first + i
    const parsed = importRowSchema.safeParse(raw)
    if (!parsed.success) {
      for (const issue of parsed.error.issues)
        errors.push({ row: at, field: issue.path.join('.') || '(row)', message: issue.message })
      return
    }
    const issues = check(parsed.data)
    if (seen.has(parsed.data.id))
      issues.push({ field: 'id', message: `device ${parsed.data.id} is in this import twice` })
    seen.add(parsed.data.id)
    if (issues.length > 0) errors.push(...issues.map((e) => ({ row: at, ...e })))
    else rows.push({ at, row: parsed.data })
  })

  const stored = await registry.store.getMany(rows.map((r) => r.row.id))
  const create: ImportedDevice[] = []
  const update: ImportedDevice[] = []
  const rotated: string[] = []
  const secrets: { id: string; secret: string }[] = []
  let unchanged = 0
  for (const { at, row } of rows) {
    const was = stored.get(row.id)
    if (was && was.kind !== row.kind) {
      errors.push({ row: at, field: 'kind', message: `device ${row.id} is registered as a ${was.kind}` })
      continue
    }
    const { secret, secretHash: givenHash, ...device } = row
    let hash = givenHash
    if (secret !== undefined)
      hash = was && (await verifySecret(secret, was.secretHash)) ? was.secretHash : undefined
    if (secret !== undefined && hash === undefined) hash = await hashSecret(secret)
    if (!was) {
      if (hash === undefined) {
        const issued = generateSecret()
        secrets.push({ id: row.id, secret: issued })
        hash = await hashSecret(issued)
      }
      create.push({ ...device, secretHash: hash })
      continue
    }
    const next: ImportedDevice = { ...device, secretHash: hash ?? was.secretHash }
    if (sameDevice(was, next)) unchanged++
    else {
      update.push(next)
      if (next.secretHash !== was.secretHash) rotated.push(row.id)
    }
  }

  const failedRows = new Set(errors.map((e) => e.row)).size
  const write = !options.dryRun && (failedRows === 0 || options.partial === true)
  if (write && create.length + update.length > 0) {
    await registry.store.applyImport(create, update)
    registry.revokeAll(rotated)
  }
  return {
    rows: input.length,
    created: create.length,
    updated: update.length,
    unchanged,
    failed: failedRows,
    written: write,
    errors: errors.sort((a, b) => a.row - b.row),
    secrets: write ? secrets : []
  }
}

function sameDevice(was: DeviceWithSecret & { site: Site | null }, now: ImportedDevice): boolean {
  return (
    was.model === now.model &&
    was.region === now.region &&
    was.outlet === (now.outlet ?? null) &&
    was.deliveredOn === (now.deliveredOn ?? null) &&
    was.secretHash === now.secretHash &&
    (now.site === undefined || sameSite(was.site, now.site))
  )
}

function sameSite(a: Site | null, b: Site | null): boolean {
  const keys = ['name', 'address', 'phone', 'lat', 'lon'] as const
  if (a === null || b === null) return a === b
  return keys.every((k) => (a[k] ?? null) === (b[k] ?? null))
}
