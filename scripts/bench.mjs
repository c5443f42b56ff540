// npm run bench -- <name> [options]: runs bench/<name>.ts with tsx. Names: ingest, points, planning, connections.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'

const [name = 'ingest', ...rest] = process.argv.slice(2)
const file = `bench/${name}.ts`
if (!existsSync(file)) {
  console.error(`no benchmark ${name}; try: npm run bench -- ingest`)
  process.exit(2)
}
const result = spawnSync('npx', ['tsx', file, ...rest], { stdio: 'inherit' })
process.exit(result.status ?? 1)
