import { existsSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import fastifyStatic from '@fastify/static'
import type { FastifyInstance } from 'fastify'

/**
 * The console's own content policy: its script and styles come from this server only, nothing is
 * framed (no clickjacking), and no page talks to another origin. uPlot sizes its canvas with inline
 * style attributes, hence 'unsafe-inline' for styles alone.
 */
const POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'"
].join('; ')

/** Where the built console is: beside the compiled API (dist/console), or dist/console when run from source. */
export function consoleDir(): string | undefined {
  const here = path.dirname(fileURLToPath(import.meta.url))
  return [path.resolve(here, '../console'), path.resolve(here, '../dist/console')].find((dir) =>
    existsSync(path.join(dir, 'console.js'))
  )
}

/** Serves the console's built files at /console/ (the pages route by the address's #fragment). */
export async function consoleRoutes(app: FastifyInstance, opts: { dir: string }): Promise<void> {
  app.get('/console', { schema: { hide: true } }, (_request, reply) => reply.redirect('/console/'))
  await app.register(fastifyStatic, {
    root: opts.dir,
    prefix: '/console/',
    index: 'index.html',
    decorateReply: false,
    setHeaders: (res) => {
      res.header('content-security-policy', POLICY)
      res.header('x-content-type-options', 'nosniff')
      res.header('referrer-policy', 'no-referrer')
      res.header('cache-control', 'no-cache')
    }
  })
}
