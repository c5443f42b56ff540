import { existsSync, readFileSync } from 'node:fs'
import { AppError, type Config } from '../shared/index.js'
import { adminTokenFile, readEndpoints } from './data-dir.js'

/** The CLI's door to a running aftercare: its HTTP API, found through the data folder or settings. */
export class ApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly token: string | undefined
  ) {}

  static fromConfig(config: Config, overrides: { api?: string; token?: string } = {}): ApiClient {
    const baseUrl = overrides.api ?? config.AFTERCARE_API_URL ?? readEndpoints(config.AFTERCARE_DATA_DIR)?.api
    if (!baseUrl) {
      throw new AppError(
        'NOT_RUNNING',
        `no running aftercare found in ${config.AFTERCARE_DATA_DIR} (start it with 'aftercare start', or set AFTERCARE_API_URL / --api)`
      )
    }
    const tokenFile = adminTokenFile(config.AFTERCARE_DATA_DIR)
    const token =
      overrides.token ??
      config.AFTERCARE_TOKEN ??
      (existsSync(tokenFile) ? readFileSync(tokenFile, 'utf8').trim() : undefined)
    return new ApiClient(baseUrl.replace(/\/$/, ''), token)
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    let res: Response
    try {
      res = await fetch(this.baseUrl + path, {
        method,
        headers: {
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(this.token ? { authorization: `Bearer ${this.token}` } : {})
        },
        body: body === undefined ? undefined : JSON.stringify(body)
      })
    } catch (err) {
      throw new AppError(
        'NOT_RUNNING',
        `aftercare's API at ${this.baseUrl} does not answer: ${(err as Error).message}`
      )
    }
    const text = await res.text()
    const parsed = text ? (JSON.parse(text) as unknown) : undefined
    if (!res.ok) {
      const message = (parsed as { message?: string } | undefined)?.message ?? text
      throw new AppError('API_REQUEST_FAILED', `${method} ${path} failed (${res.status}): ${message}`)
    }
    return parsed as T
  }
}
