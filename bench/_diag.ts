import { VisitBook, enginePolicy } from '../app/evaluate/policies.js'
import { buildWorld, liveOneDay, replaceParts } from '../app/evaluate/world.js'
import { PurifierSim, roRejection, sedimentDrop } from '../simulators/index.js'
const start = Math.floor(Date.UTC(2025, 0, 1) / 86400000)
const world = buildWorld(1, 200, start, 0.7)
for (const u of world)
  while (u.sim.day < start - 60) {
    liveOneDay(u)
    const s = u.components.filter((c) => u.fitted[c.part]?.ranOut).map((c) => c.part)
    if (s.length) replaceParts(u, s, u.sim.day)
  }
const policy = enginePolicy(4)
const book = new VisitBook()
const why = new Map<string, number>()
for (let today = start - 60; today < start + 365; today++) {
  policy.decide(world, today, book)
  for (const [d, parts] of book.take(today)) replaceParts(world[d]!, [...parts], today)
  for (const u of world) {
    if (u.sim.day !== today) continue
    const { ranOut } = liveOneDay(u)
    for (const p of today < start ? [] : ranOut) {
      const c = u.components.find((x) => x.part === p)!
      let reason = 'machine'
      if (u.sim instanceof PurifierSim) {
        const st = u.sim.stageState(p)
        if (p === 'pp_sediment' && sedimentDrop(st.litres, u.sim.region.tdsIn) >= 100)
          reason = 'sediment-condition'
        else if (p === 'ro_membrane' && roRejection(st.litres, u.sim.region.tdsIn) < 0.8)
          reason = 'ro-condition'
        else if (st.litres >= (c.litres ?? Infinity)) reason = 'litres'
        else reason = 'time'
      }
      const key = `${u.spec.kind}/${p}/${reason}/${today - start < 14 ? 'first2weeks' : 'later'}/booked:${book.bookedDay(world.indexOf(u), p) !== undefined ? book.bookedDay(world.indexOf(u), p)! - today : 'no'}`
      why.set(key, (why.get(key) ?? 0) + 1)
    }
  }
}
console.log([...why].sort())
