import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { catalogueJsonSchema, checkCatalogue, type Catalogues } from '../../maintenance/index.js'

const stored = z.object({
  version: z.number(),
  importedBy: z.string(),
  importedAt: z.string(),
  catalogue: z.record(z.string(), z.unknown()).describe('the catalogue document (GET /catalogue/schema)')
})
const issues = z.array(z.object({ path: z.array(z.union([z.string(), z.number()])), message: z.string() }))
const documentBody = z
  .record(z.string(), z.unknown())
  .describe('a catalogue document; its JSON Schema is at GET /catalogue/schema')

/** The maker's catalogue: read it (any version), validate a document, import a new version. */
export async function catalogueRoutes(app: FastifyInstance, opts: { catalogues: Catalogues }): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>()
  const { catalogues } = opts
  const readers = app.requireRole('planner', 'provisioner', 'technician')
  const tags = ['catalogue']

  r.get(
    '/catalogue',
    {
      preHandler: readers,
      schema: {
        tags,
        summary: 'the catalogue in use, or one stored version',
        querystring: z.object({ version: z.coerce.number().int().positive().optional() }),
        response: { 200: stored }
      }
    },
    async (request) => catalogues.get(request.query.version)
  )

  r.get(
    '/catalogue/versions',
    {
      preHandler: readers,
      schema: {
        tags,
        summary: 'every stored version, newest first, with who imported it',
        response: {
          200: z.object({
            versions: z.array(
              z.object({
                version: z.number(),
                importedBy: z.string(),
                importedAt: z.string(),
                models: z.number(),
                faults: z.number()
              })
            )
          })
        }
      }
    },
    async () => ({ versions: await catalogues.versions() })
  )

  r.get(
    '/catalogue/schema',
    {
      preHandler: readers,
      schema: { tags, summary: 'the JSON Schema of a catalogue document', response: { 200: z.unknown() } }
    },
    async () => catalogueJsonSchema()
  )

  r.post(
    '/catalogue/validate',
    {
      preHandler: app.requireRole('planner'),
      bodyLimit: 8 * 1024 * 1024,
      schema: {
        tags,
        summary: 'check a catalogue document without storing it',
        body: documentBody,
        response: { 200: z.object({ ok: z.boolean(), issues }) }
      }
    },
    async (request) => {
      const checked = checkCatalogue(request.body)
      return 'issues' in checked ? { ok: false, issues: checked.issues } : { ok: true, issues: [] }
    }
  )

  r.put(
    '/catalogue',
    {
      preHandler: app.requireRole('planner'),
      bodyLimit: 8 * 1024 * 1024,
      schema: {
        tags,
        summary: 'import a catalogue as the next version',
        description:
          'Validates the whole document (400 CATALOGUE_INVALID lists each issue by its path) and refuses to remove a model devices use or to change its kind (409 CATALOGUE_CONFLICT names the devices). Every node plans with it from its next pass.',
        body: documentBody,
        response: {
          200: stored.omit({ catalogue: true }).extend({
            changes: z.object({
              added: z.array(z.string()),
              removed: z.array(z.string()),
              changed: z.array(z.string())
            })
          })
        }
      }
    },
    async (request) => {
      const { catalogue: _doc, ...result } = await catalogues.import(
        request.body,
        request.account?.name ?? 'unknown'
      )
      return result
    }
  )
}
