import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { loadConfig } from '../../shared/index.js'
import { tempDir } from '../helpers/stores.js'

describe('config', () => {
  const dirs: (() => void)[] = []
  afterEach(() => dirs.splice(0).forEach((remove) => remove()))

  it('when nothing is set, then the embedded defaults apply', () => {
    const config = loadConfig({})
    expect(config).toMatchObject({
      MQTT_PORT: 1883,
      API_PORT: 8080,
      INFLUX_DB: 'aftercare',
      INFLUX_WRITE_API: 'v1'
    })
    expect(config.INFLUX_URL).toBeUndefined()
    expect(config.DATABASE_URL).toBeUndefined()
    expect(path.isAbsolute(config.AFTERCARE_DATA_DIR)).toBe(true)
  })

  it('when a value is wrong, then start-up stops with a message naming each wrong setting', () => {
    const message = (() => {
      try {
        loadConfig({ MQTT_PORT: '70000', INFLUX_URL: 'not a url', LOG_LEVEL: 'loud' })
        return 'no error'
      } catch (err) {
        return (err as Error).message
      }
    })()
    expect(message).toMatch(/^ {2}MQTT_PORT: .*65535/m)
    expect(message).toMatch(/^ {2}INFLUX_URL: /m)
    expect(message).toMatch(/^ {2}LOG_LEVEL: /m)
  })

  it('when a config file and the environment both set a value, then the environment wins', () => {
    const t = tempDir()
    dirs.push(t.remove)
    const file = path.join(t.dir, 'aftercare.json')
    writeFileSync(file, JSON.stringify({ MQTT_PORT: 2883, API_PORT: 9090 }))
    const config = loadConfig({ AFTERCARE_CONFIG: file, API_PORT: '9191' })
    expect(config.MQTT_PORT).toBe(2883)
    expect(config.API_PORT).toBe(9191)
  })

  it('when a config file holds an unknown key, then it is named in the error', () => {
    const t = tempDir()
    dirs.push(t.remove)
    const file = path.join(t.dir, 'aftercare.json')
    writeFileSync(file, JSON.stringify({ MQTT_PROT: 1 }))
    expect(() => loadConfig({ AFTERCARE_CONFIG: file })).toThrow(/MQTT_PROT: unknown setting/)
  })

  it('when DATABASE_URL is not a postgres URL, then it is refused', () => {
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL/)
  })
})
