import type * as cog from '@grafana/grafana-foundation-sdk/cog'
import {
  CustomVariableBuilder,
  DashboardBuilder,
  DashboardLinkBuilder,
  DashboardLinkType,
  QueryVariableBuilder,
  TextBoxVariableBuilder,
  ThresholdsConfigBuilder,
  ThresholdsMode,
  VariableRefresh,
  VariableSort,
  type Dashboard,
  type DataSourceRef,
  type Panel
} from '@grafana/grafana-foundation-sdk/dashboard'

/** The two datasources every board uses, as the provisioning files name them. */
export const INFLUX: DataSourceRef = { type: 'influxdb', uid: 'aftercare-influxdb' }
export const POSTGRES: DataSourceRef = { type: 'grafana-postgresql-datasource', uid: 'aftercare-postgres' }

/** A panel query in the JSON Grafana stores: InfluxQL (raw) or SQL (code mode). */
export type Target = {
  refId: string
  datasource: DataSourceRef
  hide?: boolean
} & (
  | { query: string; rawQuery: true; resultFormat: 'time_series' | 'table' }
  | {
      rawSql: string
      rawQuery: true
      editorMode: 'code'
      format: 'time_series' | 'table'
    }
)

type DataqueryTarget = Target & cog.Dataquery

function target(t: Target): cog.Builder<cog.Dataquery> {
  // the SDK only knows the query models it generates; these two are Grafana's own, written as JSON
  return { build: () => ({ ...t, _implementsDataqueryVariant: () => undefined }) as DataqueryTarget }
}

/** What a query must return for the board to show what it promises: its columns, by name. */
export interface Expectation {
  board: string
  panel: string
  refId: string
  columns: string[]
}

/** A query with the columns it must return. */
export interface Query {
  refId: string
  target: cog.Builder<cog.Dataquery>
  columns: string[]
}

interface PanelLike extends cog.Builder<Panel> {
  id(id: number): this
  withTarget(target: cog.Builder<cog.Dataquery>): this
}

/**
 * One board being built: panels get unique ids, and each query is added with
 * the columns it must return, so the proof can run every query against the
 * real stores and check them.
 */
export class BoardKit {
  readonly builder: DashboardBuilder
  readonly expectations: Expectation[] = []
  private nextId = 1

  constructor(
    readonly uid: string,
    readonly title: string,
    description: string
  ) {
    this.builder = new DashboardBuilder(title)
      .uid(uid)
      .description(description)
      .tags(['aftercare'])
      .timezone('utc')
      .refresh('1m')
      .link(
        new DashboardLinkBuilder('aftercare boards')
          .type(DashboardLinkType.Dashboards)
          .tags(['aftercare'])
          .asDropdown(true)
          .includeVars(true)
          .keepTime(false)
      )
  }

  influx(refId: string, query: string, columns: string[], format: 'time_series' | 'table' = 'time_series') {
    return {
      refId,
      target: target({ refId, datasource: INFLUX, query, rawQuery: true, resultFormat: format }),
      columns
    }
  }

  sql(refId: string, rawSql: string, columns: string[], format: 'time_series' | 'table' = 'table') {
    return {
      refId,
      target: target({ refId, datasource: POSTGRES, rawSql, rawQuery: true, editorMode: 'code', format }),
      columns
    }
  }

  /** Adds a panel with its queries; the panel's title names it in the proof. */
  panel<P extends PanelLike>(title: string, panel: P, queries: Query[]): this {
    panel.id(this.nextId++)
    for (const q of queries) {
      panel.withTarget(q.target)
      this.expectations.push({ board: this.uid, panel: title, refId: q.refId, columns: q.columns })
    }
    this.builder.withPanel(panel)
    return this
  }

  build(): Dashboard {
    return this.builder.build()
  }
}

/** Template variables shared by the boards (values from PostgreSQL, which knows every device). */
export const variables = {
  region: () =>
    new QueryVariableBuilder('region')
      .label('Region')
      .datasource(POSTGRES)
      .query('SELECT DISTINCT region FROM devices ORDER BY 1')
      .multi(true)
      .includeAll(true)
      .refresh(VariableRefresh.OnDashboardLoad)
      .sort(VariableSort.AlphabeticalAsc),
  kind: () =>
    new CustomVariableBuilder('kind').label('Kind').values('purifier,machine').multi(true).includeAll(true),
  outlet: () =>
    new QueryVariableBuilder('outlet')
      .label('Outlet')
      .datasource(POSTGRES)
      .query(
        'SELECT code FROM outlets UNION SELECT DISTINCT outlet FROM devices WHERE outlet IS NOT NULL AND region IN ($region) ORDER BY 1'
      )
      .multi(true)
      .includeAll(true)
      .refresh(VariableRefresh.OnDashboardLoad),
  model: (kind: 'purifier' | 'machine') =>
    new QueryVariableBuilder('model')
      .label('Model')
      .datasource(POSTGRES)
      .query(`SELECT DISTINCT model FROM devices WHERE kind = '${kind}' AND region IN ($region) ORDER BY 1`)
      .multi(true)
      .includeAll(true)
      .refresh(VariableRefresh.OnDashboardLoad),
  /** Where people open aftercare's console (the API's address): rows link to their console page. */
  console: () =>
    new TextBoxVariableBuilder('console')
      .label('Console at')
      .description("aftercare's API address; order and device rows link to their page in its console")
      .defaultValue(DEFAULT_CONSOLE),
  device: (kind: 'purifier' | 'machine') =>
    new QueryVariableBuilder('device')
      .label('Device')
      .datasource(POSTGRES)
      .query(
        `SELECT id FROM devices WHERE kind = '${kind}' AND region IN ($region) AND model IN ($model) ORDER BY id LIMIT 5000`
      )
      .refresh(VariableRefresh.OnDashboardLoad)
}

/** Green below `at`, red from it (a limit line on a chart, a cell colour in a table). */
export function limit(at: number, below: 'green' | 'red' = 'green') {
  return new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps([
    { value: null, color: below },
    { value: at, color: below === 'green' ? 'red' : 'green' }
  ])
}

/** The API's address on its embedded defaults. */
const DEFAULT_CONSOLE = 'http://127.0.0.1:8080'

/** A time in epoch milliseconds shown as a date; 0 (no end in sight) as a dash. */
export const EPOCH_MS_DATE = [
  { id: 'unit', value: 'time:YYYY-MM-DD' },
  { id: 'mappings', value: [{ type: 'value', options: { '0': { text: '–' } } }] }
]

/** A share 0..1 shown as a percentage. */
export const SHARE = [{ id: 'unit', value: 'percentunit' }]

/** A data link to the device's board for its kind (`kind` is a column of the same row). */
export function deviceBoardLink(): { title: string; url: string } {
  return {
    title: 'Device board',
    url: '/d/aftercare-${__data.fields.kind}?var-device=${__value.raw}&${__url_time_range}'
  }
}

/** A data link to a page of aftercare's console (`page`: device or order). */
export function consoleLink(page: 'device' | 'order'): { title: string; url: string; targetBlank: boolean } {
  return {
    title: `Open in the console`,
    url: `\${console}/console/#/${page}/\${__value.raw}`,
    targetBlank: true
  }
}

/** A data link (field override) to a board with a variable set from the clicked cell. */
export function linkTo(board: string, variable: string, title: string): { title: string; url: string } {
  return { title, url: `/d/${board}?var-${variable}=\${__value.raw}&\${__url_time_range}` }
}
