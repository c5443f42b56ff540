import { PanelBuilder as BarGaugePanel } from '@grafana/grafana-foundation-sdk/bargauge'
import { PanelBuilder as StatPanel } from '@grafana/grafana-foundation-sdk/stat'
import { PanelBuilder as TablePanel } from '@grafana/grafana-foundation-sdk/table'
import { PanelBuilder as TimeseriesPanel } from '@grafana/grafana-foundation-sdk/timeseries'
import { BoardKit, limit, linkTo, variables } from '../kit.js'
import { OPEN, inRegion } from './common.js'

/** Fleet overview: who is online, how much data arrives, where the alarms and the bad water are. */
export function fleetBoard(): BoardKit {
  const kit = new BoardKit(
    'aftercare-fleet',
    'aftercare · Fleet overview',
    'Devices online, samples per second, devices by kind and region, open alarms and emergency orders, water quality. Click a region or device to drill down.'
  )
  kit.builder
    .time({ from: 'now-1h', to: 'now' })
    .withVariable(variables.region())
    .withVariable(variables.kind())
  const devices = 'FROM devices d WHERE d.region IN ($region) AND d.kind IN ($kind)'
  kit
    .panel('Devices', new StatPanel().title('Devices').span(4).height(4), [
      kit.sql('A', `SELECT count(*) FILTER (WHERE NOT d.disabled) AS devices ${devices}`, ['devices'])
    ])
    .panel('Online now', new StatPanel().title('Online now').span(4).height(4), [
      kit.influx(
        'A',
        `SELECT sum(up) AS online FROM (SELECT last(up) AS up FROM device_status WHERE ${inRegion} GROUP BY device)`,
        ['time', 'online'],
        'table'
      )
    ])
    .panel('Offline now', new StatPanel().title('Offline now').span(4).height(4), [
      kit.influx(
        'A',
        `SELECT count(up) - sum(up) AS offline FROM (SELECT last(up) AS up FROM device_status WHERE ${inRegion} GROUP BY device)`,
        ['time', 'offline'],
        'table'
      )
    ])
    .panel(
      'Open emergency and urgent orders',
      new StatPanel().title('Open emergency and urgent orders').span(6).height(4),
      [
        kit.sql(
          'A',
          `SELECT count(*) FILTER (WHERE o.type = 'emergency') AS emergency, count(*) FILTER (WHERE o.type = 'urgent') AS urgent
  FROM orders o JOIN devices d ON d.id = o.device_id
 WHERE o.status IN ${OPEN} AND d.region IN ($region) AND d.kind IN ($kind)`,
          ['emergency', 'urgent']
        )
      ]
    )
    .panel(
      'Samples stored per second',
      new TimeseriesPanel().title('Samples stored per second').span(6).height(4).unit('short'),
      [
        kit.influx(
          'A',
          'SELECT non_negative_derivative(max(samples_stored), 1s) AS samples_per_s FROM aftercare_pipeline WHERE $timeFilter GROUP BY time($__interval), node fill(none)',
          ['time', 'samples_per_s', 'node']
        )
      ]
    )
    .panel(
      'Devices by region and kind',
      new TablePanel()
        .title('Devices by region and kind')
        .span(8)
        .height(9)
        .overrideByName('region', [
          { id: 'links', value: [linkTo('aftercare-fleet', 'region', 'Only this region')] }
        ]),
      [
        kit.sql(
          'A',
          `SELECT d.region, d.kind, count(*) AS devices, count(*) FILTER (WHERE d.disabled) AS disabled ${devices} GROUP BY d.region, d.kind ORDER BY d.region, d.kind`,
          ['region', 'kind', 'devices', 'disabled']
        )
      ]
    )
    .panel(
      'Open alarms and emergency orders',
      new TablePanel()
        .title('Open alarms and emergency orders')
        .span(16)
        .height(9)
        .overrideByName('device', [{ id: 'links', value: [deviceLink()] }]),
      [
        kit.sql(
          'A',
          `SELECT o.id, o.device_id AS device, d.kind, d.region, o.type, o.status, o.reason, o.promise_at
  FROM orders o JOIN devices d ON d.id = o.device_id
 WHERE o.type IN ('emergency', 'urgent') AND o.status IN ${OPEN} AND d.region IN ($region) AND d.kind IN ($kind)
 ORDER BY o.promise_at NULLS LAST LIMIT 200`,
          ['id', 'device', 'kind', 'region', 'type', 'status', 'reason', 'promise_at']
        )
      ]
    )
    .panel(
      'Water quality by device (last 7 days)',
      new TablePanel()
        .title('Water quality by device (last 7 days)')
        .span(14)
        .height(10)
        .overrideByName('tds_out', [{ id: 'thresholds', value: limit(100).build() }])
        .overrideByName('device', [
          { id: 'links', value: [linkTo('aftercare-purifier', 'device', 'Purifier detail')] }
        ]),
      [
        kit.influx(
          'A',
          `SELECT last(tin) AS tds_in, last(tout) AS tds_out, last(p) AS pressure_kpa FROM purifier_daily WHERE time > now() - 7d AND ${inRegion} GROUP BY device, region`,
          ['time', 'tds_in', 'tds_out', 'pressure_kpa', 'device', 'region'],
          'table'
        )
      ]
    )
    .panel(
      'Outlet TDS by region (7-day mean, ppm)',
      new BarGaugePanel()
        .title('Outlet TDS by region (7-day mean, ppm)')
        .span(10)
        .height(10)
        .thresholds(limit(100)),
      [
        kit.influx(
          'A',
          `SELECT mean(tout) AS tds_out FROM purifier_daily WHERE time > now() - 7d AND ${inRegion} GROUP BY region`,
          ['time', 'tds_out', 'region'],
          'table'
        )
      ]
    )
  return kit
}

/** The clicked device's own board (purifier or machine). */
function deviceLink() {
  return { title: 'Device detail', url: '/d/aftercare-${__data.fields.kind}?var-device=${__value.raw}' }
}
