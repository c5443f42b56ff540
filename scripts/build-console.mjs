// Builds the browser console into dist/console: one script (preact, uPlot and the pages), one style
// sheet and the page; served by `aftercare start` at /console/, with nothing fetched from elsewhere.
import { copyFile, mkdir } from 'node:fs/promises'
import { build } from 'esbuild'

const out = 'dist/console'
await mkdir(out, { recursive: true })
await build({
  entryPoints: { console: 'console/src/main.tsx' },
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['es2020'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  outdir: out,
  logLevel: 'warning'
})
await build({
  entryPoints: { console: 'console/console.css' },
  bundle: true,
  minify: true,
  outdir: out,
  logLevel: 'warning'
})
await copyFile('console/index.html', `${out}/index.html`)
