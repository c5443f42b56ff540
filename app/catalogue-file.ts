import { readFileSync } from 'node:fs'
import { LineCounter, parseDocument, stringify, type Document } from 'yaml'
import { checkCatalogue, type Catalogue } from '../maintenance/index.js'
import { AppError } from '../shared/index.js'

/** An issue in a catalogue file: its path in the document, the line it is on, and what was expected. */
export interface FileIssue {
  path: string
  line?: number
  message: string
}

/**
 * Reads a catalogue file, YAML or JSON (JSON is read as YAML, so both give line numbers), and validates
 * it: the document, or every issue with its path and line.
 */
export function readCatalogueFile(file: string): {
  document: unknown
  catalogue?: Catalogue
  issues: FileIssue[]
} {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (err) {
    throw new AppError('CATALOGUE_INVALID', `cannot read ${file}: ${(err as Error).message}`)
  }
  const lines = new LineCounter()
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true })
  if (doc.errors.length > 0)
    return {
      document: undefined,
      issues: doc.errors.map((e) => ({
        path: '(document)',
        line: lines.linePos(e.pos[0]).line,
        message: e.message.split('\n')[0] ?? e.message
      }))
    }
  const document: unknown = doc.toJS({ maxAliasCount: 100 })
  const checked = checkCatalogue(document)
  if ('catalogue' in checked) return { document, catalogue: checked.catalogue, issues: [] }
  return {
    document,
    issues: checked.issues.map((i) => ({
      path: i.path.join('.') || '(document)',
      line: lineOf(doc, lines, i.path),
      message: i.message
    }))
  }
}

/** The line of the deepest node on `path` that the document has (a missing field: its parent's line). */
function lineOf(doc: Document, lines: LineCounter, path: (string | number)[]): number | undefined {
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined
    if (node && typeof node === 'object' && node.range) return lines.linePos(node.range[0]).line
  }
  return undefined
}

export function formatIssues(file: string, issues: readonly FileIssue[]): string {
  return issues
    .map((i) => `${file}${i.line === undefined ? '' : `:${i.line}`}: ${i.path}: ${i.message}`)
    .join('\n')
}

/** A catalogue as a file: YAML (the default, for people) or JSON. */
export function catalogueText(catalogue: unknown, format: 'yaml' | 'json'): string {
  return format === 'json'
    ? `${JSON.stringify(catalogue, null, 2)}\n`
    : stringify(catalogue, { lineWidth: 0 })
}
