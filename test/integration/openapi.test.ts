import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestAftercare, type TestAftercare } from '../helpers/aftercare.js'

interface Operation {
  summary?: string
  description?: string
  tags?: string[]
  security?: unknown[]
  responses?: Record<string, { description?: string; content?: Record<string, { schema?: unknown }> }>
}

describe('the OpenAPI document', () => {
  let app: TestAftercare
  let paths: Record<string, Record<string, Operation>>

  beforeAll(async () => {
    app = await startTestAftercare()
    paths = (await app.api.inject({ method: 'GET', url: '/docs/json' })).json<{
      paths: Record<string, Record<string, Operation>>
    }>().paths
  })
  afterAll(async () => app?.close())

  const operations = () =>
    Object.entries(paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => ({ name: `${method.toUpperCase()} ${path}`, op }))
    )

  it('when the document is generated, then every operation has a summary, a description with its roles, a resource tag, and a schema for each status it returns', () => {
    expect(operations().length).toBeGreaterThan(30)
    const missing: string[] = []
    for (const { name, op } of operations()) {
      if (!op.summary) missing.push(`${name}: no summary`)
      if (!op.description || !/Roles: /.test(op.description))
        missing.push(`${name}: no roles in the description`)
      if (
        !op.tags?.some((t) =>
          [
            'devices',
            'catalogue',
            'orders',
            'outlets',
            'plan',
            'quality',
            'pipeline',
            'accounts',
            'people',
            'operations'
          ].includes(t)
        )
      )
        missing.push(`${name}: no resource tag`)
      const statuses = Object.keys(op.responses ?? {})
      if (!statuses.some((s) => s.startsWith('2'))) missing.push(`${name}: no success response`)
      for (const status of statuses) {
        const response = op.responses?.[status]
        if (response?.description === 'Default Response' && !response.content)
          missing.push(`${name}: ${status} has no schema`)
        if (!response?.content?.['application/json']?.schema) missing.push(`${name}: ${status} has no schema`)
      }
      const authenticated = !(Array.isArray(op.security) && op.security.length === 0)
      if (authenticated && !(statuses.includes('401') && statuses.includes('403')))
        missing.push(`${name}: no 401/403`)
    }
    expect(missing).toEqual([])
  })

  it('when inputs are documented, then examples look like real data (a part id, a device id, a day)', () => {
    const text = JSON.stringify(paths)
    expect(text).toContain('pp_sediment')
    expect(text).toContain('pur-1')
    expect(text).not.toMatch(/"[a-z0-9]{30,}"/)
  })
})
