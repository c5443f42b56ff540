export { startAftercare, type Aftercare } from './compose.js'
export { buildCli } from './cli.js'
export { lockDataDir, readEndpoints, adminTokenFile, type Endpoints } from './data-dir.js'
