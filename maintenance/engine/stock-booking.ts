import type { PlanDevice } from './planner.js'
/**
 * Parts that would be late for their lead time are booked from their outlet's free stock, most urgent
 * first, as many as the shelf holds: they need no lead time. Parts that can wait for an order leave the
 * stock for those that cannot.
 */
export function bookFromStock(
  devices: PlanDevice[],
  free: Map<string, Map<string, number>>,
  today: number
): void {
  if (free.size === 0) return
  const wants = devices.flatMap((d, i) =>
    d.outlet === null
      ? []
      : d.components
          .map((c, j) => ({ i, j, c, outlet: d.outlet as string }))
          .filter(({ c, outlet }) => (free.get(outlet)?.get(c.partNumber) ?? 0) > 0)
          .filter(({ c }) => c.life.earliestDay - 1 < today + 1 + c.leadTimeDays)
  )
  wants.sort((a, b) => a.c.life.earliestDay - b.c.life.earliestDay)
  for (const { i, j, c, outlet } of wants) {
    const shelf = free.get(outlet) as Map<string, number>
    const left = shelf.get(c.partNumber) ?? 0
    if (left <= 0) continue
    shelf.set(c.partNumber, left - 1)
    const device = devices[i] as PlanDevice
    const components = [...device.components]
    components[j] = { ...c, leadTimeDays: 0, fromStock: true }
    devices[i] = { ...device, components }
  }
}
