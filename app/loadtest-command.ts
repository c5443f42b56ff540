import { mkdirSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Command, InvalidArgumentError } from 'commander'
import { loadConfig } from '../shared/index.js'
import { countLosses, dayNumber, loadClientSpec, loadtestMarkdown, runLoadtest } from '../simulators/index.js'
import { readEndpoints } from './data-dir.js'
import { fleetPorts, type FleetTarget } from './fleet-ports.js'

const int = (name: string, min: number, max: number) => (value: string) => {
  const n = Number(value)
  if (!Number.isInteger(n) || n < min || n > max)
    throw new InvalidArgumentError(`${name} must be an integer from ${min} to ${max}`)
  return n
}
const rates = (value: string) => {
  const list = value.split(',').map(Number)
  if (list.some((r) => !Number.isFinite(r) || r <= 0))
    throw new InvalidArgumentError('--rates is a comma-separated list of msgs/s, e.g. 1000,2000,4000')
  return list
}

/** `aftercare loadtest`: ramps publishers against a broker on this machine and reports latency, throughput and losses. */
export function loadtestCommand(): Command {
  return new Command('loadtest')
    .description(
      'ramp QoS 1 publishers against a broker on this machine (aftercare, or any MQTT broker by URL); report latency, msgs/s and losses counted in InfluxDB'
    )
    .option('--url <mqtt-url>', 'broker to load (loopback only; default: the running aftercare)')
    .option('--no-auth', 'the broker needs no credentials (do not provision devices)')
    .option('--api <url>', 'aftercare API for provisioning (default: from the data folder)')
    .option('--token <token>', 'bearer token with the provisioner role')
    .option('--influx <url>', 'InfluxDB to count losses in (default: from the data folder)')
    .option('--clients <n>', 'publishing clients', int('--clients', 1, 20000), 100)
    .option('--processes <n>', 'load-generator processes', int('--processes', 1, 64), 2)
    .option('--rates <list>', 'target msgs/s of each stage, comma-separated', rates, [1000, 2000, 4000])
    .option('--stage-seconds <n>', 'seconds per stage', int('--stage-seconds', 1, 600), 10)
    .option(
      '--max-messages <n>',
      'stop after this many messages in all',
      int('--max-messages', 1, 10_000_000),
      200000
    )
    .option('--prefix <prefix>', 'client id prefix', 'load')
    .option('--report-dir <dir>', 'where to write the JSON and Markdown report (default: <data>/reports)')
    .action(async (opts, cmd: Command) => {
      const globals = cmd.optsWithGlobals<{ dataDir?: string } & FleetTarget>()
      const config = loadConfig(undefined, { AFTERCARE_DATA_DIR: globals.dataDir })
      const url = opts.url ?? readEndpoints(config.AFTERCARE_DATA_DIR)?.mqtt
      if (!url) throw new InvalidArgumentError('no broker: pass --url or start aftercare')
      const ports = opts.auth ? fleetPorts(config, { ...globals, mqtt: url }) : undefined
      const today = dayNumber(Date.now())
      console.error(
        `loadtest: ${opts.clients} clients, ${opts.processes} processes, stages ${opts.rates.join(' → ')} msgs/s × ${opts.stageSeconds} s`
      )
      const result = await runLoadtest({
        url,
        clients: opts.clients,
        processes: opts.processes,
        stages: opts.rates.map((rate: number) => ({ rate, seconds: opts.stageSeconds })),
        maxMessages: opts.maxMessages,
        prefix: opts.prefix,
        provision: ports ? (id) => ports.provision(loadClientSpec(id, today)) : undefined
      })
      const loss = ports?.countSamples
        ? countLosses(
            result,
            await ports.countSamples(Object.keys(result.ackedByDevice), result.startedAt - 60000)
          )
        : undefined
      const machine = `${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}`
      const markdown = loadtestMarkdown(result, loss, machine)
      const dir = opts.reportDir ?? path.join(config.AFTERCARE_DATA_DIR, 'reports')
      mkdirSync(dir, { recursive: true })
      const stamp = new Date(result.startedAt).toISOString().replace(/[:.]/g, '-')
      const { ackedByDevice: _perDevice, ...summary } = result
      writeFileSync(
        path.join(dir, `loadtest-${stamp}.json`),
        JSON.stringify({ ...summary, loss, machine }, null, 2)
      )
      writeFileSync(path.join(dir, `loadtest-${stamp}.md`), markdown)
      console.log(markdown)
      console.log(`report: ${path.join(dir, `loadtest-${stamp}.{json,md}`)}`)
      if (loss && loss.losses > 0) process.exitCode = 1
    })
}
