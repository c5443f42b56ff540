import { dayOfIso, isoOfDay } from './days.js'

/**
 * The scheduled and dispatched orders whose visit now comes on or after the day one of their parts may run
 * out: they stay as people booked them, flagged with the expected run-out.
 */
export function lateOrders(
  work: { orders: readonly { id: number; visitDay: string | null; parts: readonly string[] }[] },
  components: readonly { part: string; life: { earliestDay: number } }[]
): { id: number; expectedRunOut: string }[] {
  const out: { id: number; expectedRunOut: string }[] = []
  for (const o of work.orders) {
    const ends = o.parts.flatMap((p) => components.filter((c) => c.part === p).map((c) => c.life.earliestDay))
    const end = Math.min(...ends)
    const visit = o.visitDay ? dayOfIso(o.visitDay) : Infinity
    if (Number.isFinite(end) && visit >= end) out.push({ id: o.id, expectedRunOut: isoOfDay(end) })
  }
  return out
}
