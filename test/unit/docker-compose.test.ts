import { existsSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { buildCli } from '../../app/cli.js'
import { grafanaFiles } from '../../dashboards/index.js'

interface Service {
  image?: string
  command?: string
  volumes?: string[]
  environment?: Record<string, string>
  depends_on?: Record<string, unknown>
}

// docker compose cannot run here: the file is checked as YAML and against what it refers to
describe('docker-compose.yml', () => {
  const compose = parse(readFileSync('docker-compose.yml', 'utf8'), { merge: true }) as {
    services: Record<string, Service>
    volumes: Record<string, unknown>
  }

  it('when parsed, then it has the stores, Grafana, aftercare and a simulated fleet, each dependency a service', () => {
    expect(Object.keys(compose.services).sort()).toEqual([
      'aftercare',
      'fleet',
      'grafana',
      'influxdb',
      'postgres'
    ])
    for (const [name, s] of Object.entries(compose.services)) {
      expect(s.image, name).toMatch(/^[a-z/]+:[\w.-]+$/)
      for (const dep of Object.keys(s.depends_on ?? {}))
        expect(compose.services[dep], `${name} → ${dep}`).toBeDefined()
      for (const v of s.volumes ?? []) {
        const [source] = v.split(':') as [string]
        if (source.startsWith('.')) expect(existsSync(source), `${name}: ${source}`).toBe(true)
        else expect(compose.volumes[source], `${name}: volume ${source}`).toBeDefined()
      }
    }
  })

  it('when Grafana starts, then its provisioning finds the boards where they are mounted and every variable it reads is set', () => {
    const grafana = compose.services.grafana!
    const provider = grafanaFiles().get('provisioning/dashboards/aftercare.yaml')!
    const boardsPath = (parse(provider) as { providers: { options: { path: string } }[] }).providers[0]!
      .options.path
    expect(grafana.volumes).toContain(`./grafana/dashboards:${boardsPath}`)
    expect(grafana.volumes).toContain('./grafana/provisioning:/etc/grafana/provisioning')
    const datasources = grafanaFiles().get('provisioning/datasources/aftercare.yaml')!
    const wanted = [...datasources.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]!)
    expect(wanted.length).toBeGreaterThan(3)
    for (const name of wanted) expect(grafana.environment?.[name], name).toBeTruthy()
  })

  it('when aftercare and the fleet start, then their commands and flags are ones the CLI has', () => {
    const cli = buildCli()
    const find = (path: string[]) =>
      path.reduce<ReturnType<typeof buildCli> | undefined>(
        (cmd, name) => cmd?.commands.find((c) => c.name() === name),
        cli
      )
    for (const name of ['aftercare', 'fleet']) {
      const words = compose.services[name]!.command!.replace(/^sh -c "|"$/g, '').split(/\s+/)
      const at = words.indexOf('dist/app/main.js')
      const rest = words.slice(at + 1)
      const path = rest
        .filter((w, i) => !w.startsWith('-') && (i === 0 || !rest[i - 1]!.startsWith('--')))
        .slice(0, 2)
      const cmd = find(path) ?? find(path.slice(0, 1))
      expect(cmd, `${name}: ${path.join(' ')}`).toBeDefined()
      for (const flag of rest.filter((w) => w.startsWith('--')))
        expect(
          cmd!.options.some((o) => o.long === flag),
          `${name}: ${flag}`
        ).toBe(true)
    }
  })
})
