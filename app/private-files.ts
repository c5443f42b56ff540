import { chmodSync, readdirSync, statSync } from 'node:fs'
import path from 'node:path'
import type { Logger } from '../shared/index.js'

/** What aftercare creates is private to the user running it: files 0600, folders 0700 (umask 0077). */
export function setPrivateUmask(): void {
  try {
    process.umask(0o077)
  } catch {
    // a worker thread cannot set it; makePrivate still tightens what is there at start
  }
}

/**
 * The data folder 0700 and nothing in it readable or writable by others — also what an earlier version
 * created with looser modes.
 */
export function makePrivate(dir: string): void {
  chmodSync(dir, 0o700)
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const file = path.join(entry.parentPath, entry.name)
    if (entry.isSymbolicLink()) continue
    const mode = statSync(file).mode & 0o777
    if (mode & 0o077) chmodSync(file, mode & 0o700)
  }
}

/** A private key others may read is worth a warning: the broker's identity can be taken by any local user. */
export function warnIfReadable(file: string, log: Logger): void {
  const mode = statSync(file).mode
  if (mode & 0o044)
    log.warn(
      { file, mode: (mode & 0o777).toString(8) },
      'MQTT_TLS_KEY can be read by other users; make it 0600'
    )
}
