import { AppError, type Logger } from '../../shared/index.js'
import { checkCatalogue, defaultCatalogue, type Catalogue } from '../engine/catalogue.js'
import type { CatalogueVersion, SqlCatalogueStore, StoredCatalogue } from '../stores/catalogue-store.js'

/** What an import changed, model by model, for the person who made it. */
export interface CatalogueChanges {
  added: string[]
  removed: string[]
  changed: string[]
}

/**
 * The catalogue in use: the newest stored version, held in memory for the hot paths (ingest's fault
 * tags, live rules, provisioning checks) and refreshed with one cheap query before each planning pass
 * and each check that needs it, so every node of a cluster uses an import from its next pass on.
 */
export class Catalogues {
  private held: StoredCatalogue = {
    version: defaultCatalogue.version ?? 1,
    catalogue: defaultCatalogue,
    importedBy: 'built-in',
    importedAt: new Date(0).toISOString()
  }

  constructor(
    private readonly store: SqlCatalogueStore,
    private readonly log?: Logger
  ) {}

  /** Stores the example catalogue on a new install, then loads the newest version. */
  async open(): Promise<StoredCatalogue> {
    await this.store.ensureFirst(defaultCatalogue, 'built-in')
    return this.refresh()
  }

  /** The version last loaded (no query). */
  current(): StoredCatalogue {
    return this.held
  }

  /** Loads the newest version when another node (or this one) imported one since. */
  async refresh(): Promise<StoredCatalogue> {
    const latest = await this.store.latestVersion()
    if (latest !== undefined && latest !== this.held.version) {
      const stored = await this.store.get(latest)
      if (stored) {
        this.held = stored
        this.log?.info({ version: stored.version, by: stored.importedBy }, 'catalogue version in use')
      }
    }
    return this.held
  }

  async get(version?: number): Promise<StoredCatalogue> {
    const found = await this.store.get(version)
    if (!found)
      throw new AppError('CATALOGUE_NOT_FOUND', `catalogue version ${version ?? '(newest)'} is not stored`)
    return found
  }

  versions(): Promise<CatalogueVersion[]> {
    return this.store.versions()
  }

  /**
   * Validates a document and stores it as the next version: nothing is stored when any field is wrong
   * (each issue names its path) or when a model devices use would go or change kind.
   */
  async import(document: unknown, by: string): Promise<StoredCatalogue & { changes: CatalogueChanges }> {
    const checked = checkCatalogue(document)
    if ('issues' in checked)
      throw new AppError(
        'CATALOGUE_INVALID',
        `catalogue not imported: ${checked.issues.length} issue${checked.issues.length === 1 ? '' : 's'}: ${checked.issues
          .slice(0, 10)
          .map((i) => `${i.path.join('.') || '(document)'}: ${i.message}`)
          .join('; ')}`,
        { details: checked.issues }
      )
    const before = await this.refresh()
    const stored = await this.store.import(checked.catalogue, by)
    await this.refresh()
    return { ...stored, changes: changesBetween(before.catalogue, stored.catalogue) }
  }
}

/** Models added, removed, and changed in any field between two catalogues. */
export function changesBetween(was: Catalogue, now: Catalogue): CatalogueChanges {
  const before = new Map(was.models.map((m) => [m.model, JSON.stringify(m)]))
  const after = new Map(now.models.map((m) => [m.model, JSON.stringify(m)]))
  return {
    added: [...after.keys()].filter((m) => !before.has(m)),
    removed: [...before.keys()].filter((m) => !after.has(m)),
    changed: [...after].filter(([m, json]) => before.has(m) && before.get(m) !== json).map(([m]) => m)
  }
}
