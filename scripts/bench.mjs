// npm run bench -- <name> [options]: builds, then runs dist/bench/<name>.js — the compiled code `aftercare
// start` runs (tsx's transform adds work of its own to every closure: measured, it was ~6 % of a run).
// Names: ingest, points, planning, connections, import, console.
// Ctrl-C or a SIGTERM is passed on to the benchmark, which stops the InfluxDB it started and removes its data.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'

const [name = 'ingest', ...rest] = process.argv.slice(2)
if (!existsSync(`bench/${name}.ts`)) {
  console.error(`no benchmark ${name}; try: npm run bench -- ingest`)
  process.exit(2)
}
const build = spawnSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' })
if (build.status !== 0) process.exit(build.status ?? 1)
// with the young generation `aftercare start` runs with (docs/performance.md, "Garbage collection")
const child = spawn(process.execPath, ['--max-semi-space-size=64', `dist/bench/${name}.js`, ...rest], {
  stdio: 'inherit'
})
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal))
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 130 : 1)))
