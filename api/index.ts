export { buildApi, type ApiDeps } from './app.js'
export type { HealthReport } from './routes/admin.js'
export { consoleDir } from './console.js'
