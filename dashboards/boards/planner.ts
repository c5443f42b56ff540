import { AnnotationQueryBuilder } from '@grafana/grafana-foundation-sdk/dashboard'
import { GraphDrawStyle } from '@grafana/grafana-foundation-sdk/common'
import { PanelBuilder as TablePanel } from '@grafana/grafana-foundation-sdk/table'
import { PanelBuilder as TimeseriesPanel } from '@grafana/grafana-foundation-sdk/timeseries'
import { BoardKit, POSTGRES, SHARE, consoleLink, deviceBoardLink, variables } from '../kit.js'
import { OPEN, inOutlet, inRegion } from './common.js'

/** Maintenance planner: the next 12 weeks of visits against capacity, peaks shaded, what is overdue or at risk, parts to stock. */
export function plannerBoard(): BoardKit {
  const kit = new BoardKit(
    'aftercare-planner',
    'aftercare · Maintenance planner',
    'Visits per outlet and day against capacity for the next 12 weeks with the peak windows shaded, orders by type and status, overdue and at-risk parts, spare-parts demand and stock by outlet and ISO week; rows link to the device’s board and to the console.'
  )
  kit.builder
    .time({ from: 'now-7d', to: 'now+84d' })
    .withVariable(variables.region())
    .withVariable(variables.outlet())
    .withVariable(variables.console())
  const peaks = kit.sql(
    'A',
    `SELECT start_day::timestamptz AS time, (end_day + 1)::timestamptz AS timeend,
       'peak season: ' || region || ' / ' || kind AS text, region AS tags
  FROM peak_windows WHERE region IN ($region)`,
    ['time', 'timeend', 'text', 'tags']
  )
  kit.expectations.push({
    board: kit.uid,
    panel: 'annotation: Peak windows',
    refId: 'A',
    columns: peaks.columns
  })
  kit.builder.annotation(
    new AnnotationQueryBuilder()
      .name('Peak windows')
      .datasource(POSTGRES)
      .enable(true)
      .iconColor('rgba(255, 96, 96, 0.25)')
      .target(peaks.target)
  )
  const joined = 'FROM orders o JOIN devices d ON d.id = o.device_id'
  kit
    .panel(
      'Visits per outlet and day vs capacity',
      new TimeseriesPanel()
        .title('Visits per outlet and day vs capacity')
        .span(24)
        .height(9)
        .drawStyle(GraphDrawStyle.Bars)
        .fillOpacity(60)
        .overrideByRegexp('.*capacity.*', [
          { id: 'custom.drawStyle', value: 'line' },
          { id: 'custom.lineStyle', value: { fill: 'dash', dash: [10, 10] } },
          { id: 'custom.fillOpacity', value: 0 }
        ]),
      [
        kit.sql(
          'A',
          `SELECT o.visit_day::timestamptz AS time, o.outlet AS metric, count(*) AS visits
  FROM orders o
 WHERE o.status IN ${OPEN} AND o.outlet IN ($outlet) AND $__timeFilter(o.visit_day::timestamptz)
 GROUP BY 1, 2 ORDER BY 1, 2`,
          ['time', 'metric', 'visits'],
          'time_series'
        ),
        kit.sql(
          'B',
          `SELECT day AS time, t.code || ' capacity' AS metric, t.capacity_per_day AS capacity
  FROM outlets t CROSS JOIN generate_series(date_trunc('day', $__timeFrom()::timestamptz), $__timeTo()::timestamptz, interval '1 day') AS day
 WHERE t.code IN ($outlet)
 ORDER BY 1, 2`,
          ['time', 'metric', 'capacity'],
          'time_series'
        )
      ]
    )
    .panel(
      'Open orders by type and status',
      new TablePanel().title('Open orders by type and status').span(8).height(9),
      [
        kit.sql(
          'A',
          `SELECT o.type, o.status, count(*) AS orders ${joined}
 WHERE d.region IN ($region) AND o.outlet IN ($outlet) AND o.status IN ${OPEN}
 GROUP BY o.type, o.status ORDER BY 1, 2`,
          ['type', 'status', 'orders']
        )
      ]
    )
    .panel(
      'Overdue and due within 14 days',
      new TablePanel()
        .title('Overdue and due within 14 days')
        .span(16)
        .height(9)
        .overrideByName('device', [{ id: 'links', value: [deviceBoardLink(), consoleLink('device')] }])
        .overrideByName('id', [{ id: 'links', value: [consoleLink('order')] }]),
      [
        kit.sql(
          'A',
          `SELECT o.id, o.device_id AS device, d.kind, o.type, o.status, o.outlet, o.visit_day, o.deadline, o.deadline < current_date AS overdue
  ${joined}
 WHERE o.status IN ${OPEN} AND d.region IN ($region) AND o.outlet IN ($outlet) AND o.deadline < current_date + 14
 ORDER BY o.deadline, o.id LIMIT 500`,
          ['id', 'device', 'kind', 'type', 'status', 'outlet', 'visit_day', 'deadline', 'overdue']
        )
      ]
    )
    .panel(
      'Parts at risk (under 30 days left)',
      new TablePanel()
        .title('Parts at risk (under 30 days left)')
        .span(12)
        .height(9)
        .overrideByName('used_share', SHARE)
        .overrideByName('device', [{ id: 'links', value: [deviceBoardLink(), consoleLink('device')] }]),
      [
        kit.influx(
          'A',
          `SELECT days_left, used_share FROM (SELECT last(days_left) AS days_left, last(used_share) AS used_share FROM component_health WHERE ${inRegion} AND ${inOutlet} GROUP BY device, part, kind) WHERE days_left < 30 GROUP BY device, part, kind`,
          ['time', 'days_left', 'used_share', 'device', 'part', 'kind'],
          'table'
        )
      ]
    )
    .panel(
      'Spare parts by outlet and ISO week',
      new TablePanel().title('Spare parts by outlet and ISO week').span(12).height(9),
      [
        kit.sql(
          'A',
          `SELECT o.outlet, to_char(o.visit_day, 'IYYY-"W"IW') AS week, p.value->>'partNumber' AS part_number, count(*) AS parts,
       coalesce(max(s.quantity), 0) AS in_stock
  ${joined} CROSS JOIN jsonb_array_elements(o.parts) AS p
  LEFT JOIN outlet_stock s ON s.outlet = o.outlet AND s.part_number = p.value->>'partNumber'
 WHERE o.status IN ${OPEN} AND d.region IN ($region) AND o.outlet IN ($outlet) AND o.visit_day IS NOT NULL
 GROUP BY 1, 2, 3 ORDER BY 2, 1, 3`,
          ['outlet', 'week', 'part_number', 'parts', 'in_stock']
        )
      ]
    )
    .panel(
      'Parts that ran out',
      new TablePanel()
        .title('Parts that ran out')
        .span(24)
        .height(8)
        .overrideByName('device', [{ id: 'links', value: [deviceBoardLink(), consoleLink('device')] }]),
      [
        kit.sql(
          'A',
          `SELECT r.detected_at, r.device_id AS device, d.kind, r.part, r.fitted_day, r.limit_by, coalesce(r.outlet, '(not charged)') AS charged_to
  FROM part_run_outs r JOIN devices d ON d.id = r.device_id
 WHERE d.region IN ($region) AND d.outlet IN ($outlet)
 ORDER BY r.detected_at DESC LIMIT 200`,
          ['detected_at', 'device', 'kind', 'part', 'fitted_day', 'limit_by', 'charged_to']
        )
      ]
    )
  return kit
}
