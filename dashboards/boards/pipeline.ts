import { PanelBuilder as TablePanel } from '@grafana/grafana-foundation-sdk/table'
import { PanelBuilder as TimeseriesPanel } from '@grafana/grafana-foundation-sdk/timeseries'
import { QueryVariableBuilder, VariableRefresh } from '@grafana/grafana-foundation-sdk/dashboard'
import { BoardKit, INFLUX, limit } from '../kit.js'

/** Pipeline health: what each node took in and wrote, how fast, what it refused and why. */
export function pipelineBoard(): BoardKit {
  const kit = new BoardKit(
    'aftercare-pipeline',
    'aftercare · Pipeline health',
    'Per node: ingest rate, InfluxDB write latency and queue, failed write attempts, broker connections and refusals; dead letters by reason.'
  )
  kit.builder
    .time({ from: 'now-1h', to: 'now' })
    .withVariable(
      new QueryVariableBuilder('node')
        .label('Node')
        .datasource(INFLUX)
        .query('SHOW TAG VALUES FROM aftercare_pipeline WITH KEY = "node"')
        .multi(true)
        .includeAll(true)
        .refresh(VariableRefresh.OnTimeRangeChanged)
    )
  const nodes = `FROM aftercare_pipeline WHERE $timeFilter AND node =~ /^$node$/ GROUP BY time($__interval), node fill(none)`
  const series = (
    title: string,
    select: string,
    columns: string[],
    unit = 'short',
    panel = new TimeseriesPanel()
  ) =>
    kit.panel(title, panel.title(title).span(12).height(8).unit(unit), [
      kit.influx('A', `SELECT ${select} ${nodes}`, ['time', ...columns, 'node'])
    ])
  series(
    'Ingest rate (per second)',
    'non_negative_derivative(max(messages), 1s) AS messages_per_s, non_negative_derivative(max(samples_stored), 1s) AS samples_per_s',
    ['messages_per_s', 'samples_per_s']
  )
  series(
    'InfluxDB write latency (last batch; 250 ms budget)',
    'max(write_last_ms) AS write_ms',
    ['write_ms'],
    'ms',
    new TimeseriesPanel().thresholds(limit(250))
  )
  series('Write queue', 'max(write_queued_lines) AS queued_lines, max(write_in_flight) AS in_flight', [
    'queued_lines',
    'in_flight'
  ])
  series(
    'InfluxDB write errors (failed attempts, retried)',
    'non_negative_difference(max(write_failed_attempts)) AS failed_attempts',
    ['failed_attempts']
  )
  series(
    'Broker connections and refusals',
    'max(connections) AS connections, non_negative_difference(max(refused_connects)) AS refused_connects, non_negative_difference(max(refused_publishes)) AS refused_publishes',
    ['connections', 'refused_connects', 'refused_publishes']
  )
  series(
    'Broker guards (publishes slowed, logins refused unchecked, oversize packets, QoS 0 shed to stalled readers)',
    'non_negative_difference(max(throttled_publishes)) AS throttled_publishes, non_negative_difference(max(throttled_logins)) AS throttled_logins, non_negative_difference(max(oversize_packets)) AS oversize_packets, non_negative_difference(max(dropped_deliveries)) AS dropped_deliveries',
    ['throttled_publishes', 'throttled_logins', 'oversize_packets', 'dropped_deliveries']
  )
  series(
    'Kept but marked (samples whose counter went backwards) and wills of stopped nodes discarded',
    'non_negative_difference(max(counters_backwards)) AS counters_backwards, non_negative_difference(max(dropped_wills)) AS dropped_wills',
    ['counters_backwards', 'dropped_wills']
  )
  kit
    .panel('Dead letters by reason', new TablePanel().title('Dead letters by reason').span(12).height(8), [
      kit.sql(
        'A',
        `SELECT code AS reason, count(*) AS dead_letters, max(received_at) AS last_seen
  FROM dead_letters WHERE $__timeFilter(received_at)
 GROUP BY code ORDER BY 2 DESC`,
        ['reason', 'dead_letters', 'last_seen']
      )
    ])
    .panel('Latest dead letters', new TablePanel().title('Latest dead letters').span(24).height(8), [
      kit.sql(
        'A',
        `SELECT received_at, device_id AS device, topic, code, reason
  FROM dead_letters WHERE $__timeFilter(received_at)
 ORDER BY received_at DESC LIMIT 100`,
        ['received_at', 'device', 'topic', 'code', 'reason']
      )
    ])
  return kit
}
