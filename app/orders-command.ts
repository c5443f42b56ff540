import { Command, InvalidArgumentError, Option } from 'commander'
import { COMPLAINT_CATEGORIES, ORDER_STATUSES, ORDER_TYPES, type Order } from '../maintenance/index.js'
import type { ApiClient } from './api-client.js'
import { table } from './table.js'

type Api = (cmd: Command) => ApiClient

/** A table for people unless JSON is asked for (`--json`, for scripts). */
function asJson(opts: { json?: boolean }): boolean {
  return opts.json === true
}

const print = (value: unknown) => console.log(JSON.stringify(value, null, 2))

const positiveId = (value: string) => {
  if (!/^\d{1,15}$/.test(value)) throw new InvalidArgumentError('an order id is a number')
  return value
}

/** An order as a row a planner reads: flags first (late, at risk), then when, what and where. */
function orderRow(o: Order): string[] {
  const flags = [o.atRisk ? `at risk (runs out ${o.expectedRunOut ?? '?'})` : ''].filter(Boolean).join(' ')
  return [
    String(o.id),
    o.visitDay ?? '–',
    o.deadline ?? '–',
    o.status,
    o.type.replace('_', '-'),
    o.deviceId,
    o.outlet ?? '–',
    o.technician ?? '–',
    o.parts.map((p) => p.part).join(',') || (o.inspection ? `inspection ${o.inspection} mo` : '–'),
    flags
  ]
}

const ORDER_HEADER = [
  'id',
  'visit',
  'deadline',
  'status',
  'type',
  'device',
  'outlet',
  'technician',
  'parts',
  ''
]

/**
 * The service loop from the command line: orders (list, show, schedule, dispatch, complete, cancel),
 * complaints, KPIs, run-outs — every step a person takes, through the API's use cases.
 */
export function serviceCommands(api: Api, withApi: (cmd: Command) => Command): Command[] {
  const orders = withApi(new Command('orders').description('service orders: list them and move them along'))

  orders
    .command('list', { isDefault: true })
    .description('orders by visit day, a page at a time (says how many it showed of how many)')
    .option('--device <id>')
    .option('--status <statuses>', `one or more, comma-separated: ${ORDER_STATUSES.join(', ')}`)
    .option('--type <types>', `one or more, comma-separated: ${ORDER_TYPES.join(', ')}`)
    .option('--outlet <code>')
    .option('--from <day>', 'visit day from, YYYY-MM-DD')
    .option('--to <day>', 'visit day to, YYYY-MM-DD')
    .option('--limit <n>', 'a page holds this many', '100')
    .option('--cursor <cursor>', 'the next page (printed at the end of the previous one)')
    .option('--json', 'JSON instead of a table')
    .addHelpText(
      'after',
      '\nExample:\n  aftercare orders list --outlet sh-01 --status proposed,scheduled --from 2026-12-01 --to 2026-12-31'
    )
    .action(async (opts: Record<string, string | boolean | undefined>, cmd: Command) => {
      const query = new URLSearchParams({ limit: String(opts.limit) })
      for (const key of ['device', 'status', 'type', 'outlet', 'from', 'to', 'cursor'])
        if (typeof opts[key] === 'string') query.set(key, opts[key])
      const page = await api(cmd).request<{ orders: Order[]; total: number; next: string | null }>(
        'GET',
        `/orders?${query.toString()}`
      )
      if (asJson(opts)) return print(page)
      if (page.orders.length > 0) console.log(table(ORDER_HEADER, page.orders.map(orderRow)))
      console.log(
        `\nshowing ${page.orders.length} of ${page.total}${page.next ? ` — next page: --cursor ${page.next}` : ''}`
      )
    })

  orders
    .command('show <id>')
    .description('one order: its parts, why it was proposed, its completion')
    .option('--json', 'JSON instead of a table')
    .action(async (id: string, opts: { json?: boolean }, cmd: Command) => {
      const order = await api(cmd).request<Order>('GET', `/orders/${positiveId(id)}`)
      if (asJson(opts)) return print(order)
      console.log(table(ORDER_HEADER, [orderRow(order)]))
      console.log(`\nwhy: ${order.reason}`)
      if (order.completion)
        console.log(
          `done ${order.completion.completedAt} by ${order.completion.by ?? '–'}: parts ${order.completion.replacedParts.join(',') || 'none'}, first-visit fix ${order.completion.firstVisitFix ? 'yes' : 'no'}`
        )
    })

  const move = (name: string, to: 'scheduled' | 'dispatched' | 'cancelled', what: string) =>
    orders
      .command(`${name} <id>`)
      .description(what)
      .option('--note <text>', 'kept in the order history')
      .option('--json', 'JSON instead of a table')
  move('schedule', 'scheduled', 'schedule a proposed visit (optionally on another day within its deadline)')
    .option('--day <day>', 'the visit day, YYYY-MM-DD (from today to the deadline)')
    .option('--technician <name>', 'who is to make the visit')
    .addHelpText('after', '\nExample:\n  aftercare orders schedule 42 --day 2026-12-08 --technician li-wei')
    .action(
      async (
        id: string,
        opts: { note?: string; day?: string; technician?: string; json?: boolean },
        cmd: Command
      ) => {
        const client = api(cmd)
        let order = await client.request<Order>('POST', `/orders/${positiveId(id)}/transition`, {
          to: 'scheduled',
          note: opts.note ?? '',
          ...(opts.technician ? { technician: opts.technician } : {})
        })
        if (opts.day && opts.day !== order.visitDay)
          order = await client.request<Order>('POST', `/orders/${id}/reschedule`, {
            visitDay: opts.day,
            note: opts.note ?? ''
          })
        show(order, opts)
      }
    )
  move(
    'dispatch',
    'dispatched',
    "send a scheduled visit to the device's outlet (or one of its region with room)"
  )
    .addHelpText('after', '\nExample:\n  aftercare orders dispatch 42')
    .action(async (id: string, opts: { note?: string; json?: boolean }, cmd: Command) =>
      show(
        await api(cmd).request<Order>('POST', `/orders/${positiveId(id)}/transition`, {
          to: 'dispatched',
          note: opts.note ?? ''
        }),
        opts
      )
    )
  move('cancel', 'cancelled', 'cancel an order that is not done, with the reason')
    .requiredOption('--reason <text>', 'why, kept in the order history (required)')
    .addHelpText('after', '\nExample:\n  aftercare orders cancel 42 --reason "customer moved away"')
    .action(async (id: string, opts: { reason: string; json?: boolean }, cmd: Command) =>
      show(
        await api(cmd).request<Order>('POST', `/orders/${positiveId(id)}/transition`, {
          to: 'cancelled',
          note: opts.reason
        }),
        opts
      )
    )

  orders
    .command('complete <id>')
    .description('record a dispatched visit as done: parts replaced, first-visit fix, the customer’s scores')
    .option('--parts <parts>', "replaced parts, comma-separated (the model's part ids)", '')
    .addOption(
      new Option('--ffr <yes|no>', 'fixed at the first visit (required)')
        .choices(['yes', 'no'])
        .makeOptionMandatory()
    )
    .option('--scores <t,q,a>', 'timeliness, repair quality, attitude, each A..E (A = +2 … E = −2)')
    .option('--note <text>')
    .option('--json', 'JSON instead of a table')
    .addHelpText(
      'after',
      '\nExample:\n  aftercare orders complete 42 --parts pp_sediment,carbon --ffr yes --scores A,A,B'
    )
    .action(
      async (
        id: string,
        opts: { parts: string; ffr: 'yes' | 'no'; scores?: string; note?: string; json?: boolean },
        cmd: Command
      ) => {
        const letters = opts.scores?.split(',').map((x) => x.trim().toUpperCase())
        if (letters && (letters.length !== 3 || letters.some((l) => !/^[A-E]$/.test(l))))
          throw new InvalidArgumentError('--scores is three letters A..E: timeliness,quality,attitude')
        show(
          await api(cmd).request<Order>('POST', `/orders/${positiveId(id)}/complete`, {
            replacedParts: opts.parts
              .split(',')
              .map((p) => p.trim())
              .filter(Boolean),
            firstVisitFix: opts.ffr === 'yes',
            ...(letters
              ? { scores: { timeliness: letters[0], quality: letters[1], attitude: letters[2] } }
              : {}),
            ...(opts.note ? { note: opts.note } : {})
          }),
          opts
        )
      }
    )

  const complaints = withApi(new Command('complaints').description("customers' complaints about done visits"))
  complaints
    .command('add <order>')
    .description('record a complaint about a done order')
    .addOption(
      new Option('--category <category>', 'what it is about (required)')
        .choices(COMPLAINT_CATEGORIES)
        .makeOptionMandatory()
    )
    .requiredOption('--text <text>', "the customer's words (required)")
    .addHelpText(
      'after',
      '\nExample:\n  aftercare complaints add 42 --category timeliness --text "came two hours late"'
    )
    .action(async (order: string, opts: { category: string; text: string }, cmd: Command) =>
      print(
        await api(cmd).request('POST', `/orders/${positiveId(order)}/complaints`, {
          category: opts.category,
          text: opts.text
        })
      )
    )
  complaints
    .command('list')
    .description('complaints, by outlet and month')
    .option('--outlet <code>')
    .option('--month <YYYY-MM>')
    .action(async (opts: { outlet?: string; month?: string }, cmd: Command) => {
      const query = new URLSearchParams()
      if (opts.outlet) query.set('outlet', opts.outlet)
      if (opts.month) query.set('month', opts.month)
      print(await api(cmd).request('GET', `/complaints?${query.toString()}`))
    })

  const kpis = withApi(new Command('kpis'))
    .description('per outlet and month: scores, first-visit fix, complaints, PPM rates, supervision')
    .option('--month <YYYY-MM>', 'default: this month')
    .action(async (opts: { month?: string }, cmd: Command) =>
      print(
        await api(cmd).request('GET', `/kpis${opts.month ? `?month=${encodeURIComponent(opts.month)}` : ''}`)
      )
    )
  const runOuts = withApi(new Command('run-outs'))
    .description('parts found past their limit, and the outlet charged (if it held their order)')
    .option('--month <YYYY-MM>')
    .action(async (opts: { month?: string }, cmd: Command) =>
      print(
        await api(cmd).request(
          'GET',
          `/run-outs${opts.month ? `?month=${encodeURIComponent(opts.month)}` : ''}`
        )
      )
    )
  return [orders, complaints, kpis, runOuts]

  function show(order: Order, opts: { json?: boolean }): void {
    if (asJson(opts)) return print(order)
    console.log(table(ORDER_HEADER, [orderRow(order)]))
  }
}
