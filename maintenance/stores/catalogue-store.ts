import { AppError } from '../../shared/index.js'
import type { SqlClient } from '../../stores/index.js'
import { parseCatalogue, type Catalogue } from '../engine/catalogue.js'

/** A catalogue as stored: its version, who imported it and when. */
export interface StoredCatalogue {
  version: number
  catalogue: Catalogue
  importedBy: string
  importedAt: string
}

export interface CatalogueVersion {
  version: number
  importedBy: string
  importedAt: string
  models: number
  faults: number
}

/** How many device ids a refusal lists before it says "and N more". */
const LISTED = 20

interface Row {
  version: number
  document: Catalogue | string
  imported_by: string
  imported_at: string | Date
}

/**
 * The catalogue's versions in PostgreSQL. An import is checked against the devices in the same
 * transaction that stores it: a model still in use cannot be removed, nor change its kind.
 */
export class SqlCatalogueStore {
  constructor(private readonly db: SqlClient) {}

  async latestVersion(): Promise<number | undefined> {
    const { rows } = await this.db.query<{ v: number | null }>('SELECT max(version) AS v FROM catalogues')
    return rows[0]?.v ?? undefined
  }

  /** One version, or the newest. */
  async get(version?: number): Promise<StoredCatalogue | undefined> {
    const { rows } = await this.db.query<Row>(
      `SELECT version, document, imported_by, imported_at FROM catalogues
        WHERE $1::int IS NULL OR version = $1 ORDER BY version DESC LIMIT 1`,
      [version ?? null]
    )
    const row = rows[0]
    if (!row) return undefined
    const document = typeof row.document === 'string' ? (JSON.parse(row.document) as unknown) : row.document
    return {
      version: row.version,
      // stored documents were validated when imported; parsing again fills defaults a later schema added
      catalogue: parseCatalogue(document),
      importedBy: row.imported_by,
      importedAt: new Date(row.imported_at).toISOString()
    }
  }

  async versions(): Promise<CatalogueVersion[]> {
    const { rows } = await this.db.query<{
      version: number
      imported_by: string
      imported_at: string | Date
      models: number
      faults: number
    }>(
      `SELECT version, imported_by, imported_at, jsonb_array_length(document->'models') AS models,
              coalesce(jsonb_array_length(document->'faults'), 0) AS faults
         FROM catalogues ORDER BY version DESC`
    )
    return rows.map((r) => ({
      version: r.version,
      importedBy: r.imported_by,
      importedAt: new Date(r.imported_at).toISOString(),
      models: r.models,
      faults: r.faults
    }))
  }

  /** Stores the example catalogue as the first version of a new install (nothing when one is stored). */
  async ensureFirst(catalogue: Catalogue, by: string): Promise<void> {
    await this.db.query(
      `INSERT INTO catalogues (version, document, imported_by)
       SELECT $1, $2::jsonb, $3 WHERE NOT EXISTS (SELECT 1 FROM catalogues) ON CONFLICT DO NOTHING`,
      [catalogue.version ?? 1, JSON.stringify({ ...catalogue, version: catalogue.version ?? 1 }), by]
    )
  }

  /**
   * Stores a validated catalogue as the next version (or the version it names, which must be newer), in
   * one transaction with the check that no model devices use is removed or changes kind.
   */
  async import(catalogue: Catalogue, by: string): Promise<StoredCatalogue> {
    return this.db.transaction(async (tx) => {
      // one import at a time: the version check and the in-use check hold until the commit
      await tx.query('SELECT pg_advisory_xact_lock(4243)')
      const { rows } = await tx.query<{ v: number; models: string[] }>(
        `SELECT version AS v, array(SELECT jsonb_array_elements(document->'models')->>'model') AS models
           FROM catalogues ORDER BY version DESC LIMIT 1`
      )
      const latest = rows[0]?.v ?? 0
      if (catalogue.version !== undefined && catalogue.version <= latest)
        throw new AppError(
          'CATALOGUE_CONFLICT',
          `version ${catalogue.version} is not newer than the stored version ${latest}; give ${latest + 1} or leave version out`
        )
      const version = catalogue.version ?? latest + 1
      const kinds = catalogue.models.map((m) => [m.model, m.kind])
      const { rows: clashes } = await tx.query<{ model: string; kind: string; ids: string[]; n: number }>(
        `SELECT d.model, d.kind, (array_agg(d.id ORDER BY d.id))[1:${LISTED}] AS ids, count(*)::int AS n
           FROM devices d
           LEFT JOIN jsonb_to_recordset($1::jsonb) AS m(model text, kind text) ON m.model = d.model
          WHERE (m.model IS NULL AND d.model = ANY($2::text[])) OR m.kind <> d.kind
          GROUP BY d.model, d.kind ORDER BY d.model`,
        // only models the stored catalogue describes: a device provisioned with an unknown model (before
        // provisioning was checked) does not block every later import
        [JSON.stringify(kinds.map(([model, kind]) => ({ model, kind }))), rows[0]?.models ?? []]
      )
      if (clashes.length > 0) {
        const listed = clashes.map((c) => {
          const more = c.n > c.ids.length ? ` and ${c.n - c.ids.length} more` : ''
          const what = catalogue.models.some((m) => m.model === c.model)
            ? `model ${c.model} would no longer be a ${c.kind}`
            : `model ${c.model} would be removed`
          return `${what}, but ${c.n} device${c.n === 1 ? ' uses' : 's use'} it: ${c.ids.join(', ')}${more}`
        })
        throw new AppError('CATALOGUE_CONFLICT', `catalogue not imported: ${listed.join('; ')}`, {
          details: clashes.map((c) => ({ model: c.model, kind: c.kind, devices: c.n, some: c.ids }))
        })
      }
      const stored = { ...catalogue, version }
      const { rows: inserted } = await tx.query<{ imported_at: string | Date }>(
        `INSERT INTO catalogues (version, document, imported_by) VALUES ($1, $2::jsonb, $3) RETURNING imported_at`,
        [version, JSON.stringify(stored), by]
      )
      return {
        version,
        catalogue: stored,
        importedBy: by,
        importedAt: new Date(inserted[0]?.imported_at ?? Date.now()).toISOString()
      }
    })
  }
}
