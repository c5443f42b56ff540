import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { Ajv2020 } from 'ajv/dist/2020.js'
import { afterAll, describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { readFileSync } from 'node:fs'
import { readCatalogueFile } from '../../app/catalogue-file.js'
import {
  catalogueJsonSchema,
  changesBetween,
  checkCatalogue,
  defaultCatalogue,
  deviceIssues,
  parseCatalogue
} from '../../maintenance/index.js'
import { FAULT_CATALOGUE } from '../../shared/index.js'
import { tempDir } from '../helpers/stores.js'

const folder = tempDir('aftercare-catalogue-')
afterAll(() => folder.remove())

describe('catalogue as data', () => {
  it('when a YAML catalogue has errors, then validation names the path and line of each, and what was expected', () => {
    const write = (name: string, lines: string[]) => {
      const file = path.join(folder.dir, name)
      writeFileSync(file, lines.join('\n'))
      return readCatalogueFile(file)
    }
    const models = [
      'models:',
      '  - model: RO5-Home',
      '    kind: purifier',
      '    components:',
      '      - { part: pp_sediment, partNumber: P, hours: 300, leadTimeDays: 2 }',
      '  - model: EX-215',
      '    kind: machine',
      '    components:'
    ]
    // fields of the wrong type or range first (the cross-field checks run once every field is well-formed)
    const fields = write('fields.yaml', [
      ...models,
      '      - { part: engine_oil, partNumber: E, hours: 250, leadTimeDays: -1 }',
      'faults:',
      '  - { code: F1, title: t, machineTypes: [paver], category: hydraulic, cause: repair, grade: Z9, workload: 1 }'
    ])
    expect(fields.catalogue).toBeUndefined()
    const byPath = (issues: typeof fields.issues) => Object.fromEntries(issues.map((i) => [i.path, i]))
    expect(byPath(fields.issues)['models.1.components.0.leadTimeDays']).toMatchObject({
      line: 9,
      message: expect.stringMatching(/>=0/)
    })
    expect(byPath(fields.issues)['faults.0.grade']).toMatchObject({
      line: 11,
      message: expect.stringMatching(/A1/)
    })

    const across = write('across.yaml', [
      ...models,
      '      - { part: engine_oil, partNumber: E, hours: 250, leadTimeDays: 1 }',
      'faults:',
      '  - { code: F1, title: t, machineTypes: [paver], category: hydraulic, cause: repair, grade: A1, workload: 1 }'
    ])
    const issues = byPath(across.issues)
    expect(issues['models.0.components.0']).toMatchObject({
      line: 5,
      message: expect.stringMatching(/litres or months/)
    })
    expect(issues['models.1.machineType']).toMatchObject({
      line: 6,
      message: expect.stringMatching(/machine type/)
    })
    expect(issues['faults.0.machineTypes.0']).toMatchObject({
      line: 11,
      message: expect.stringMatching(/no model has machine type paver/)
    })
    expect(write('broken.yaml', ['models: [', '  {model: A']).issues[0]).toMatchObject({ path: '(document)' })
  })

  it("when the maker's own catalogue is read, then its models, parts, prices and faults are what the file says", () => {
    const { catalogue, issues } = readCatalogueFile('test/fixtures/maker-catalogue.yaml')
    expect(issues).toEqual([])
    expect(catalogue?.models.map((m) => m.model)).toEqual([
      'RO5-Home',
      'RO5-Slim',
      'EX-215',
      'WL-50',
      'CP-48M'
    ])
    expect(catalogue?.models[4]?.components.map((c) => c.part)).toEqual(['engine_oil', 'wear_plate'])
    expect(catalogue?.visitCost).toEqual({ purifier: 90, machine: 650 })
    expect(catalogue?.faults[0]).toMatchObject({ code: 'X-101', promiseHours: 12 })
  })

  it('when the JSON Schema is generated, then it is the one published in docs/, and it agrees with the zod schema on good and bad documents', () => {
    const schema = catalogueJsonSchema()
    expect(JSON.parse(readFileSync('docs/catalogue.schema.json', 'utf8'))).toEqual(schema)
    const validate = new Ajv2020({ strict: false }).compile(schema)
    const maker = parse(readFileSync('test/fixtures/maker-catalogue.yaml', 'utf8')) as unknown
    for (const good of [defaultCatalogue, maker]) {
      expect(validate(good)).toBe(true)
      expect('catalogue' in checkCatalogue(good)).toBe(true)
    }
    const bad = [
      { models: [] },
      {
        models: [
          {
            model: 'A',
            kind: 'toaster',
            components: [{ part: 'p', partNumber: 'n', months: 1, leadTimeDays: 1 }]
          }
        ]
      },
      { ...defaultCatalogue, currency: 'euro' },
      { ...defaultCatalogue, extra: 1 }
    ]
    for (const doc of bad) {
      expect(validate(doc)).toBe(false)
      expect('issues' in checkCatalogue(doc)).toBe(true)
    }
  })

  it("when the example catalogue is read, then its faults are the device contract's fault list (the simulators report those)", () => {
    expect(defaultCatalogue.faults.map(({ promiseHours: _p, ...f }) => f)).toEqual(
      FAULT_CATALOGUE.map(({ weight: _w, ...f }) => ({
        ...f,
        parts: [...f.parts],
        machineTypes: [...f.machineTypes]
      }))
    )
    expect(defaultCatalogue.models.every((m) => m.components.every((c) => c.price !== undefined))).toBe(true)
  })

  it('when two catalogues differ, then the changes name the models added, removed and changed', () => {
    const next = parseCatalogue({
      ...defaultCatalogue,
      models: [
        ...defaultCatalogue.models.filter((m) => m.model !== 'C1' && m.model !== 'RO-400'),
        { ...defaultCatalogue.models[0], components: defaultCatalogue.models[0]!.components.slice(1) },
        {
          model: 'RO5-Home',
          kind: 'purifier',
          components: [{ part: 'carbon', partNumber: 'c', months: 6, leadTimeDays: 1 }]
        }
      ]
    })
    expect(changesBetween(defaultCatalogue, next)).toEqual({
      added: ['RO5-Home'],
      removed: ['C1'],
      changed: ['RO-400']
    })
  })
})

describe('provisioning checks', () => {
  const outlets = new Map([
    ['sh-01', ['cn-east']],
    ['gz-01', ['cn-south']]
  ])
  const issues = (d: { kind: 'purifier' | 'machine'; model: string; region: string; outlet?: string }) =>
    deviceIssues(defaultCatalogue, outlets, d)

  it('when the model is unknown, then the issue lists the known models of that kind', () => {
    const [issue] = issues({ kind: 'purifier', model: 'RO5-Home', region: 'cn-east', outlet: 'sh-01' })
    expect(issue?.field).toBe('model')
    expect(issue?.message).toMatch(/RO-400, RO-600, C1/)
  })

  it("when the kind is not the model's, then it says which kind the model is", () => {
    expect(issues({ kind: 'machine', model: 'RO-400', region: 'cn-east' })).toEqual([
      { field: 'kind', message: expect.stringMatching(/RO-400 is a purifier, not a machine.*PUMP-52/) }
    ])
  })

  it('when the outlet is unknown or does not cover the region, then it says so and how to fix it', () => {
    expect(issues({ kind: 'purifier', model: 'C1', region: 'cn-east', outlet: 'bj-01' })).toEqual([
      {
        field: 'outlet',
        message: expect.stringMatching(/known outlets are sh-01, gz-01.*aftercare outlets add bj-01/)
      }
    ])
    expect(issues({ kind: 'purifier', model: 'C1', region: 'cn-west', outlet: 'sh-01' })).toEqual([
      { field: 'region', message: 'outlet sh-01 covers cn-east, not cn-west' }
    ])
    expect(issues({ kind: 'purifier', model: 'C1', region: 'cn-east', outlet: 'sh-01' })).toEqual([])
  })
})
