import { z } from 'zod'
import { AppError } from '../shared/index.js'

/** A comma-separated list of names from `names` (at least one). */
export function listOf<T extends string>(names: readonly [T, ...T[]]) {
  return z
    .string()
    .transform((s) => s.split(',').map((x) => x.trim()))
    .pipe(z.array(z.enum(names)).min(1))
}

/** Where a page of orders ends: its last order's visit day and id, opaque to clients. */
export function writeCursor(at: { visitDay: string | null; id: number }): string {
  return Buffer.from(`${at.visitDay ?? '-'}|${at.id}`).toString('base64url')
}

export function readCursor(cursor: string): { visitDay: string | null; id: number } {
  const [day = '', id = ''] = Buffer.from(cursor, 'base64url').toString('utf8').split('|')
  if (!/^(\d{4}-\d{2}-\d{2}|-)$/.test(day) || !/^\d{1,15}$/.test(id))
    throw new AppError('PAYLOAD_INVALID', 'querystring.cursor: not a cursor from a previous page')
  return { visitDay: day === '-' ? null : day, id: Number(id) }
}
