import { Command, Option } from 'commander'
import { DEVICE_KINDS, loadConfig, type Config } from '../shared/index.js'
import { writeGrafanaFiles } from '../dashboards/index.js'
import { ApiClient } from './api-client.js'
import { catalogueCommand } from './catalogue-command.js'
import { CSV_COLUMNS, importFleetFile } from './device-import-command.js'
import { serviceCommands } from './orders-command.js'
import { usersCommand } from './users-command.js'
import { accountsCommand } from './accounts-command.js'
import { evaluateCommand } from './evaluate-command.js'
import { loadtestCommand } from './loadtest-command.js'
import { simulateCommand } from './simulate-commands.js'
import { runStart } from './start-command.js'

/** Settings a flag may override; everything else comes from the environment or AFTERCARE_CONFIG. */
function configFrom(opts: { dataDir?: string }, extra: Partial<Record<keyof Config, unknown>> = {}): Config {
  return loadConfig(undefined, { AFTERCARE_DATA_DIR: opts.dataDir, ...extra })
}

function client(cmd: Command): ApiClient {
  const opts = cmd.optsWithGlobals<{ dataDir?: string; api?: string; token?: string }>()
  return ApiClient.fromConfig(configFrom(opts), { api: opts.api, token: opts.token })
}

const print = (value: unknown) => console.log(JSON.stringify(value, null, 2))

/** The `aftercare` command line. Every command has --help. */
export function buildCli(): Command {
  const program = new Command('aftercare')
    .description('Telemetry and predictive maintenance for appliances and machines (see README.md)')
    .option('-d, --data-dir <dir>', 'data folder (AFTERCARE_DATA_DIR, default .data)')
    .showHelpAfterError()

  program
    .command('start')
    .description(
      'run broker + ingest + HTTP API in one process, with a local InfluxDB and PGlite unless INFLUX_URL / DATABASE_URL are set'
    )
    .option('--mqtt-port <port>', 'MQTT port (MQTT_PORT, default 1883; 0 = any free port)')
    .option('--api-port <port>', 'HTTP API port (API_PORT, default 8080; 0 = any free port)')
    .option(
      '--ingest-from <url>',
      'take telemetry from an existing broker instead of being one: mqtt://USER:PASS@host:1883 or mqtts:// (INGEST_BROKER_URL; docs/scaling.md)'
    )
    .action(async (opts: { mqttPort?: string; apiPort?: string; ingestFrom?: string }, cmd: Command) => {
      const globals = cmd.optsWithGlobals<{ dataDir?: string }>()
      await runStart(
        configFrom(globals, {
          MQTT_PORT: opts.mqttPort,
          API_PORT: opts.apiPort,
          INGEST_BROKER_URL: opts.ingestFrom
        })
      )
    })

  const apiOptions = (cmd: Command) =>
    cmd
      .option(
        '--api <url>',
        'API of a running aftercare (AFTERCARE_API_URL; default: found in the data folder)'
      )
      .option(
        '--token <token>',
        'bearer token (AFTERCARE_TOKEN; default: the admin token in the data folder)'
      )

  const devices = apiOptions(
    program.command('devices').description('provision and manage devices through the API')
  )
  devices
    .command('add')
    .description('provision a device; prints its MQTT secret once (only a hash is stored)')
    .requiredOption('--id <id>', 'device id: 1-64 of A-Z a-z 0-9 _ -')
    .addOption(new Option('--kind <kind>', 'device kind').choices(DEVICE_KINDS).makeOptionMandatory())
    .requiredOption(
      '--model <model>',
      "a model of the catalogue, of this kind (see 'aftercare catalogue show')"
    )
    .requiredOption('--region <region>', 'region code, e.g. cn-east')
    .option('--outlet <outlet>', "a service outlet that covers the region (see 'aftercare outlets list')")
    .option('--delivered-on <date>', 'delivery or installation date, YYYY-MM-DD')
    .option(
      '--site-name <name>',
      "customer site (personal data, shown only to the outlet's people and planners)"
    )
    .option('--site-address <address>')
    .option('--site-phone <phone>')
    .option('--site-lat <lat>')
    .option('--site-lon <lon>')
    .addHelpText(
      'after',
      '\nExample:\n  aftercare devices add --id pur-1 --kind purifier --model RO-400 --region cn-east --outlet sh-01'
    )
    .action(async (opts: Record<string, string | undefined>, cmd: Command) => {
      const site = {
        name: opts.siteName,
        address: opts.siteAddress,
        phone: opts.sitePhone,
        lat: opts.siteLat === undefined ? undefined : Number(opts.siteLat),
        lon: opts.siteLon === undefined ? undefined : Number(opts.siteLon)
      }
      print(
        await client(cmd).request('POST', '/devices', {
          id: opts.id,
          kind: opts.kind,
          model: opts.model,
          region: opts.region,
          outlet: opts.outlet,
          deliveredOn: opts.deliveredOn,
          site: Object.values(site).some((v) => v !== undefined) ? site : undefined
        })
      )
    })
  devices
    .command('import <file>')
    .description(
      'import a fleet from CSV (header row) or JSON lines: all rows checked first, nothing written while any is wrong'
    )
    .option('--partial', 'write the good rows even when some are wrong')
    .option('--dry-run', 'check every row, write nothing')
    .option(
      '--secrets <file>',
      "where the secrets of new devices go (created 0600, never overwritten; '-' = standard output). Default: device-secrets-<time>.csv"
    )
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      `\nCSV columns: ${Object.keys(CSV_COLUMNS).join(', ')} (id, kind, model, region required).
A device that brings its secret (secret, 16+ characters) or its stored hash (secret_hash,
sha256$<salt base64>$<SHA-256(salt bytes + secret) base64>) keeps its credentials. Importing the
same file again changes nothing; changed rows update their devices.

Example:
  aftercare devices import fleet.csv --secrets new-secrets.csv`
    )
    .action(
      async (
        file: string,
        opts: { partial?: boolean; dryRun?: boolean; secrets?: string; json?: boolean },
        cmd: Command
      ) => {
        const result = await importFleetFile(client(cmd), file, { ...opts, progress: !opts.json })
        if (opts.json) print(result)
        else {
          for (const e of result.errors.slice(0, 50))
            console.error(`${file}:${e.row}: ${e.column}: ${e.message}`)
          if (result.errors.length > 50) console.error(`… and ${result.errors.length - 50} more`)
          console.log(
            `${result.rows} rows: ${result.created} new, ${result.updated} updated, ${result.unchanged} unchanged, ${result.failed} wrong — ${result.written ? 'imported' : 'nothing imported'}`
          )
          if (result.secretsFile) console.log(`secrets of the new devices: ${result.secretsFile}`)
        }
        if (result.failed > 0 && !result.written) process.exitCode = 2
      }
    )
  devices
    .command('list')
    .description('list devices')
    .option('--region <region>')
    .addOption(new Option('--kind <kind>').choices(DEVICE_KINDS))
    .option('--limit <n>', 'at most this many', '100')
    .action(async (opts: { region?: string; kind?: string; limit: string }, cmd: Command) => {
      const query = new URLSearchParams({ limit: opts.limit })
      if (opts.region) query.set('region', opts.region)
      if (opts.kind) query.set('kind', opts.kind)
      print(await client(cmd).request('GET', `/devices?${query.toString()}`))
    })
  devices
    .command('rotate-secret <id>')
    .description('issue a new MQTT secret; the old one stops working and live sessions are closed')
    .action(async (id: string, _o: unknown, cmd: Command) =>
      print(await client(cmd).request('POST', `/devices/${encodeURIComponent(id)}/secret`))
    )
  devices
    .command('health <id>')
    .description("each component's used share and its expected / earliest / latest end (from the last pass)")
    .action(async (id: string, _o: unknown, cmd: Command) =>
      print(await client(cmd).request('GET', `/devices/${encodeURIComponent(id)}/health`))
    )
  for (const action of ['disable', 'enable'] as const) {
    devices
      .command(`${action} <id>`)
      .description(
        action === 'disable'
          ? 'refuse the device from now on and close its session'
          : 'let a disabled device connect again'
      )
      .action(async (id: string, _o: unknown, cmd: Command) =>
        print(await client(cmd).request('POST', `/devices/${encodeURIComponent(id)}/${action}`))
      )
  }

  program.addCommand(accountsCommand(client, apiOptions))

  const outlets = apiOptions(
    program.command('outlets').description('service outlets: the regions each covers, visits a day')
  )
  outlets
    .command('add <code>')
    .alias('set')
    .description('add a service outlet, or change one')
    .requiredOption('--regions <regions>', 'comma-separated regions it covers')
    .option('--capacity <visits>', 'visits it can make a day', '8')
    .option('--visit-cost <amount>', "what a visit costs it (default: the catalogue's, by device kind)")
    .addHelpText('after', '\nExample:\n  aftercare outlets add sh-01 --regions cn-east --capacity 8')
    .action(
      async (code: string, opts: { regions: string; capacity: string; visitCost?: string }, cmd: Command) =>
        print(
          await client(cmd).request('PUT', `/outlets/${encodeURIComponent(code)}`, {
            regions: opts.regions.split(',').map((r) => r.trim()),
            capacityPerDay: Number(opts.capacity),
            ...(opts.visitCost === undefined ? {} : { visitCost: Number(opts.visitCost) })
          })
        )
    )
  outlets
    .command('stock <code>')
    .description(
      "an outlet's spare parts (on the shelf, set aside for scheduled visits, free); --set changes them"
    )
    .option('--set <pn=qty,...>', 'quantities to set, e.g. PP-400-05=12,RO-400-75=3')
    .addHelpText('after', '\nExample:\n  aftercare outlets stock sh-01 --set PP-400-05=12,CB-400-10=6')
    .action(async (code: string, opts: { set?: string }, cmd: Command) => {
      const path = `/outlets/${encodeURIComponent(code)}/stock`
      if (!opts.set) return print(await client(cmd).request('GET', path))
      const parts = Object.fromEntries(
        opts.set.split(',').map((pair) => {
          const [pn = '', qty = ''] = pair.split('=')
          return [pn.trim(), Number(qty)]
        })
      )
      print(await client(cmd).request('PUT', path, { parts }))
    })
  outlets
    .command('list')
    .description('list the service outlets')
    .action(async (_o: unknown, cmd: Command) => print(await client(cmd).request('GET', '/outlets')))

  apiOptions(program.command('plan'))
    .description(
      'run the planning pass now: forecasts, remaining life, visits before peak seasons; prints what it proposed'
    )
    .action(async (_o: unknown, cmd: Command) => print(await client(cmd).request('POST', '/plan/run')))

  for (const command of serviceCommands(client, apiOptions)) program.addCommand(command)
  program.addCommand(usersCommand(client, apiOptions))

  apiOptions(program.command('dead-letters'))
    .description('show what devices sent that could not be stored, with the reason')
    .option('--device <id>')
    .option(
      '--code <code>',
      'bad_json, schema, too_many_samples, ts_out_of_range, unknown_topic, unknown_part, conflicting_duplicate, influx_rejected'
    )
    .option('--limit <n>', 'at most this many (newest first)', '50')
    .option('--before <id>', "the next page: the previous answer's `next`")
    .option('--id <id>', 'one dead letter with its whole payload (a list cuts each to 2,000 characters)')
    .action(
      async (
        opts: { device?: string; code?: string; limit: string; before?: string; id?: string },
        cmd: Command
      ) => {
        if (opts.id)
          return print(await client(cmd).request('GET', `/dead-letters/${encodeURIComponent(opts.id)}`))
        const query = new URLSearchParams({ limit: opts.limit })
        if (opts.device) query.set('device', opts.device)
        if (opts.code) query.set('code', opts.code)
        if (opts.before) query.set('before', opts.before)
        print(await client(cmd).request('GET', `/dead-letters?${query.toString()}`))
      }
    )

  program.addCommand(apiOptions(catalogueCommand(client)))
  program.addCommand(simulateCommand())
  program.addCommand(loadtestCommand())
  program.addCommand(evaluateCommand())

  program
    .command('dashboards')
    .description(
      'write the Grafana boards (JSON) and provisioning files (InfluxDB/InfluxQL and PostgreSQL datasources, a file dashboard provider) to a folder'
    )
    .option('-o, --out <dir>', 'output folder', 'grafana')
    .action((opts: { out: string }) => {
      const written = writeGrafanaFiles(opts.out)
      for (const file of written) console.log(file)
    })

  // every command's --help shows the global options (--data-dir) too
  const showGlobals = (cmd: Command): void => {
    cmd.configureHelp({ showGlobalOptions: true })
    cmd.commands.forEach(showGlobals)
  }
  showGlobals(program)
  return program
}
