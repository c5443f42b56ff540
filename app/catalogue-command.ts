import { writeFileSync } from 'node:fs'
import { Command, Option } from 'commander'
import { catalogueJsonSchema, usageUnit, type Catalogue } from '../maintenance/index.js'
import { AppError } from '../shared/index.js'
import type { ApiClient } from './api-client.js'
import { catalogueText, formatIssues, readCatalogueFile } from './catalogue-file.js'
import { table } from './table.js'

interface Stored {
  version: number
  importedBy: string
  importedAt: string
  catalogue: Catalogue
}

/**
 * `aftercare catalogue …`: the maker's models, parts and faults as a file they own. `validate` and
 * `schema` work offline; `import`, `show`, `export` and `versions` talk to the running instance.
 */
export function catalogueCommand(api: (cmd: Command) => ApiClient): Command {
  const catalogue = new Command('catalogue').description(
    "the maker's catalogue: models, components and limits, prices, inspections, faults (a YAML or JSON file)"
  )

  catalogue
    .command('validate <file>')
    .description('check a catalogue file; every error names its path and line (nothing is stored)')
    .addHelpText('after', '\nExample:\n  aftercare catalogue validate my-catalogue.yaml')
    .action((file: string) => {
      const read = readCatalogueFile(file)
      if (read.issues.length > 0) fail(file, read.issues)
      const c = read.catalogue as Catalogue
      const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`
      console.log(
        `${file}: valid — ${count(c.models.length, 'model')}, ${count(
          c.models.reduce((n, m) => n + m.components.length, 0),
          'component'
        )}, ${count(c.faults.length, 'fault')}`
      )
    })

  catalogue
    .command('import <file>')
    .description(
      'validate a catalogue file, then store it as the next version; every node plans with it from its next pass'
    )
    .addHelpText(
      'after',
      '\nA model that devices use cannot be removed or change kind (the refusal lists the devices).\n\nExample:\n  aftercare catalogue export --out catalogue.yaml   # start from the one in use\n  aftercare catalogue import catalogue.yaml'
    )
    .action(async (file: string, _o: unknown, cmd: Command) => {
      const read = readCatalogueFile(file)
      if (read.issues.length > 0) fail(file, read.issues)
      const result = await api(cmd).request<{
        version: number
        changes: { added: string[]; removed: string[]; changed: string[] }
      }>('PUT', '/catalogue', read.document)
      const { added, removed, changed } = result.changes
      console.log(`catalogue version ${result.version} imported from ${file}`)
      for (const [what, list] of [
        ['added', added],
        ['changed', changed],
        ['removed', removed]
      ] as const)
        if (list.length > 0) console.log(`  models ${what}: ${list.join(', ')}`)
    })

  catalogue
    .command('show')
    .description('the catalogue in use (or --version N): its models and their parts')
    .option('--version <n>', 'a stored version')
    .option('--json', 'the whole document as JSON')
    .action(async (opts: { version?: string; json?: boolean }, cmd: Command) => {
      const stored = await fetchStored(api(cmd), opts.version)
      if (opts.json) return console.log(JSON.stringify(stored, null, 2))
      console.log(
        `catalogue version ${stored.version}, imported by ${stored.importedBy} at ${stored.importedAt}\n`
      )
      const c = stored.catalogue
      console.log(
        table(
          ['model', 'kind', 'type', 'part', 'part number', 'life', 'lead days', `price ${c.currency}`],
          c.models.flatMap((m) =>
            m.components.map((p) => [
              m.model,
              m.kind,
              m.machineType ?? '',
              p.part,
              p.partNumber,
              lifeOf(p),
              p.leadTimeDays,
              p.price ?? '–'
            ])
          )
        )
      )
      console.log(
        `\ninspections after delivery: months ${c.inspectionsAfterDeliveryMonths.join(', ')}; a visit costs ${c.visitCost.purifier} (purifier) / ${c.visitCost.machine} (machine) ${c.currency}; ${c.faults.length} fault codes`
      )
    })

  catalogue
    .command('export')
    .description('write the catalogue in use (or --version N) to a file to edit and import again')
    .option('--version <n>', 'a stored version')
    .option('-o, --out <file>', 'write here instead of standard output')
    .addOption(new Option('--format <format>', 'file format').choices(['yaml', 'json']).default('yaml'))
    .action(async (opts: { version?: string; out?: string; format: 'yaml' | 'json' }, cmd: Command) => {
      const stored = await fetchStored(api(cmd), opts.version)
      // the next import must be newer: the exported version is left out, so importing it takes the next one
      const { version: _v, ...document } = stored.catalogue
      const text = catalogueText(document, opts.format)
      if (opts.out) {
        writeFileSync(opts.out, text)
        console.error(`catalogue version ${stored.version} written to ${opts.out}`)
      } else process.stdout.write(text)
    })

  catalogue
    .command('versions')
    .description('every stored version, newest first')
    .action(async (_o: unknown, cmd: Command) => {
      const { versions } = await api(cmd).request<{
        versions: {
          version: number
          importedBy: string
          importedAt: string
          models: number
          faults: number
        }[]
      }>('GET', '/catalogue/versions')
      console.log(
        table(
          ['version', 'imported by', 'imported at', 'models', 'faults'],
          versions.map((v) => [v.version, v.importedBy, v.importedAt, v.models, v.faults])
        )
      )
    })

  catalogue
    .command('schema')
    .description("the catalogue's JSON Schema (for editors and CI checks)")
    .option('-o, --out <file>', 'write here instead of standard output')
    .action((opts: { out?: string }) => {
      const text = `${JSON.stringify(catalogueJsonSchema(), null, 2)}\n`
      if (opts.out) writeFileSync(opts.out, text)
      else process.stdout.write(text)
    })

  return catalogue
}

async function fetchStored(api: ApiClient, version?: string): Promise<Stored> {
  return api.request<Stored>('GET', `/catalogue${version ? `?version=${encodeURIComponent(version)}` : ''}`)
}

function lifeOf(p: Catalogue['models'][number]['components'][number]): string {
  const unit = usageUnit(p)
  const limits = [
    unit ? `${p.litres ?? p.hours ?? p.m3} ${unit === 'litres' ? 'L' : unit === 'hours' ? 'h' : 'm³'}` : '',
    p.months ? `${p.months} months` : '',
    p.condition ? `${p.condition.metric} ${p.condition.direction} ${p.condition.limit}` : ''
  ]
  return limits.filter(Boolean).join(' / ')
}

function fail(file: string, issues: Parameters<typeof formatIssues>[1]): never {
  throw new AppError(
    'CATALOGUE_INVALID',
    `${file} is not a valid catalogue (${issues.length} issue${issues.length === 1 ? '' : 's'}; nothing stored):\n${formatIssues(file, issues)}`
  )
}
