import { pino, type Logger } from 'pino'

export type { Logger }

/** The process logger: JSON lines on stdout (pino), level from config. */
export function createLogger(level: string, name = 'aftercare'): Logger {
  return pino({ name, level })
}

/** A logger that drops everything, for tests that assert on behaviour, not logs. */
export const silentLogger: Logger = pino({ level: 'silent' })
