// npm run bench -- <name> [options]: runs bench/<name>.ts with tsx. Names: ingest, points, planning, connections.
// Ctrl-C or a SIGTERM is passed on to the benchmark, which stops the InfluxDB it started and removes its data.
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'

const [name = 'ingest', ...rest] = process.argv.slice(2)
const file = `bench/${name}.ts`
if (!existsSync(file)) {
  console.error(`no benchmark ${name}; try: npm run bench -- ingest`)
  process.exit(2)
}
const child = spawn(process.execPath, ['--import', 'tsx', file, ...rest], { stdio: 'inherit' })
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal))
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 130 : 1)))
