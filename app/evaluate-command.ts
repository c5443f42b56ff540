import { Command, InvalidArgumentError } from 'commander'
import { evaluate, UNAVOIDABLE_REASONS, type PolicyResult } from './evaluate/index.js'
import { dayOfIso } from '../maintenance/index.js'

const int = (name: string, min: number, max: number) => (value: string) => {
  const n = Number(value)
  if (!Number.isInteger(n) || n < min || n > max)
    throw new InvalidArgumentError(`${name} must be an integer from ${min} to ${max}`)
  return n
}

/** The policies side by side, as a Markdown table. */
export function evaluationTable(results: readonly PolicyResult[]): string {
  const pct = (x: number) => `${(100 * x).toFixed(1)} %`
  return [
    '| policy | parts run out before replaced | replacements | life thrown away (share of true life left) | visits (inspections) | visits inside peak windows (could have come before) | visits per device-year | service cost per device-year (visits and parts, CNY) | capacity overruns | forecast error (MAPE, 30-day use) |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...results.map(
      (r) =>
        `| ${r.policy} | ${r.ranOut} | ${r.replacements} | ${pct(r.lifeThrownAway)} | ${r.visits} (${r.inspections}) | ${r.visitsInPeak} (${pct(r.visits ? r.visitsInPeak / r.visits : 0)}; ${r.avoidableInPeak}) | ${r.visitsPerDeviceYear.toFixed(2)} | ${Math.round(r.costPerDeviceYear)} | ${r.capacityOverruns} | ${r.mape30 === undefined ? '–' : pct(r.mape30)} |`
    ),
    '',
    ...results.map(
      (r) =>
        `${r.policy}: of ${r.visitsInPeak} visits inside peak windows, ${r.avoidableInPeak} could have come before; unavoidable: ${Object.entries(
          r.unavoidableInPeak
        )
          .map(([k, n]) => `${n} ${UNAVOIDABLE_REASONS[k as keyof typeof UNAVOIDABLE_REASONS]}`)
          .join(', ')}`
    ),
    ...results.flatMap((r) =>
      r.engine
        ? [
            '',
            `${r.policy}: ${r.engine.passes} planning passes (runPlanningPass); their orders: ${r.engine.ordersCreated} created, ${r.engine.ordersUpdated} moved in place, ${r.engine.ordersCancelled} cancelled; ${r.engine.broughtForward} scheduled visits brought forward when flagged at risk; ${r.engine.dispatchRefused} dispatches refused for want of room`
          ]
        : []
    )
  ].join('\n')
}

/** `aftercare evaluate`: the closed loop over simulated time, three policies side by side. */
export function evaluateCommand(): Command {
  return new Command('evaluate')
    .description(
      "closed loop over simulated time: devices use water and hours, each policy sees only what they report and its visits are carried out; compares fixed intervals, counter limits, aftercare's shipped engine (the planning pass and the service use cases over real SQL stores, in memory), an oracle that knows each part's true end, and the same oracle keeping out of the busy seasons"
    )
    .option('--seed <n>', 'fleet seed', int('--seed', 0, 2 ** 31 - 1), 1)
    .option('--devices <n>', 'simulated devices', int('--devices', 1, 100000), 200)
    .option('--days <n>', 'simulated days measured', int('--days', 30, 3650), 365)
    .option('--capacity <n>', 'visits each outlet can make a day', int('--capacity', 1, 1000), 4)
    .option(
      '--start <YYYY-MM-DD>',
      'first measured day (the fleet is delivered in the year before)',
      '2025-01-01'
    )
    .option('--purifier-share <share>', 'share of water purifiers', (v) => Number(v), 0.7)
    .action(
      async (opts: {
        seed: number
        devices: number
        days: number
        capacity: number
        start: string
        purifierShare: number
      }) => {
        const startDay = dayOfIso(opts.start)
        if (!Number.isFinite(startDay)) throw new InvalidArgumentError('--start is a date, YYYY-MM-DD')
        const t0 = performance.now()
        const results = await evaluate({
          seed: opts.seed,
          devices: opts.devices,
          days: opts.days,
          capacityPerOutlet: opts.capacity,
          purifierShare: opts.purifierShare,
          startDay
        })
        console.log(
          `evaluate: ${opts.devices} devices (seed ${opts.seed}), ${opts.days} days from ${opts.start}, ${opts.capacity} visits per outlet a day — ${((performance.now() - t0) / 1000).toFixed(1)} s\n`
        )
        console.log(evaluationTable(results))
      }
    )
}
