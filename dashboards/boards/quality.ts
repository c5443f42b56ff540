import { PanelBuilder as TablePanel } from '@grafana/grafana-foundation-sdk/table'
import { PanelBuilder as TimeseriesPanel } from '@grafana/grafana-foundation-sdk/timeseries'
import {
  GraphDrawStyle,
  GraphThresholdsStyleConfigBuilder,
  GraphThresholdsStyleMode
} from '@grafana/grafana-foundation-sdk/common'
import { MappingType } from '@grafana/grafana-foundation-sdk/dashboard'
import { BoardKit, limit, variables } from '../kit.js'

/** Service quality: the KPIs per outlet and month as the last planning pass computed them (table outlet_kpis). */
export function qualityBoard(): BoardKit {
  const kit = new BoardKit(
    'aftercare-quality',
    'aftercare · Service quality',
    'Per outlet and month: satisfaction per item (A..E = +2..−2, total / jobs) and its change, first-visit fix rate, complaints against the acceptable level, complaint / dissatisfaction / omission PPM against the target, supervision status.'
  )
  kit.builder
    .time({ from: 'now-6M', to: 'now' })
    .withVariable(variables.region())
    .withVariable(variables.outlet())
  const months = `FROM outlet_kpis WHERE outlet IN ($outlet) AND $__timeFilter(month::timestamptz)`
  const weighted = (column: string) =>
    `sum(${column} * jobs) / nullif(sum(jobs) FILTER (WHERE ${column} IS NOT NULL), 0)`
  const dashed = new GraphThresholdsStyleConfigBuilder().mode(GraphThresholdsStyleMode.Dashed)
  kit
    .panel(
      'Satisfaction per item (all selected outlets)',
      new TimeseriesPanel()
        .title('Satisfaction per item (all selected outlets)')
        .span(12)
        .height(8)
        .min(-2)
        .max(2),
      [
        kit.sql(
          'A',
          `SELECT month::timestamptz AS time, ${weighted('score_timeliness')} AS timeliness, ${weighted('score_quality')} AS quality, ${weighted('score_attitude')} AS attitude
  ${months} GROUP BY month ORDER BY month`,
          ['time', 'timeliness', 'quality', 'attitude'],
          'time_series'
        )
      ]
    )
    .panel(
      'First-visit fix rate',
      new TimeseriesPanel()
        .title('First-visit fix rate')
        .span(12)
        .height(8)
        .unit('percentunit')
        .min(0)
        .max(1),
      [
        kit.sql(
          'A',
          `SELECT month::timestamptz AS time, ${weighted('first_visit_fix_rate')} AS first_visit_fix_rate ${months} GROUP BY month ORDER BY month`,
          ['time', 'first_visit_fix_rate'],
          'time_series'
        )
      ]
    )
    .panel(
      'Satisfaction and change from the month before, per outlet',
      new TablePanel()
        .title('Satisfaction and change from the month before, per outlet')
        .span(24)
        .height(8)
        .decimals(2),
      [
        kit.sql(
          'A',
          `SELECT outlet, to_char(month, 'YYYY-MM') AS month, jobs, score_timeliness, change_timeliness, score_quality, change_quality,
       score_attitude, change_attitude
  ${months} ORDER BY month DESC, outlet`,
          [
            'outlet',
            'month',
            'jobs',
            'score_timeliness',
            'change_timeliness',
            'score_quality',
            'change_quality',
            'score_attitude',
            'change_attitude'
          ]
        )
      ]
    )
    .panel(
      'Complaints per outlet (acceptable: 5 a month)',
      new TimeseriesPanel()
        .title('Complaints per outlet (acceptable: 5 a month)')
        .span(12)
        .height(8)
        .drawStyle(GraphDrawStyle.Bars)
        .thresholds(limit(6))
        .thresholdsStyle(dashed),
      [
        kit.sql(
          'A',
          `SELECT month::timestamptz AS time, outlet AS metric, complaints ${months} ORDER BY 1, 2`,
          ['time', 'metric', 'complaints'],
          'time_series'
        )
      ]
    )
    .panel(
      'PPM rates of the worst outlet vs target',
      new TimeseriesPanel().title('PPM rates of the worst outlet vs target').span(12).height(8).unit('ppm'),
      [
        kit.sql(
          'A',
          `SELECT month::timestamptz AS time, max(complaint_ppm) AS complaint_ppm, max(dissatisfaction_ppm) AS dissatisfaction_ppm,
       max(omission_ppm) AS omission_ppm, max(ppm_target) AS target_ppm
  ${months} GROUP BY month ORDER BY month`,
          ['time', 'complaint_ppm', 'dissatisfaction_ppm', 'omission_ppm', 'target_ppm'],
          'time_series'
        )
      ]
    )
    .panel(
      'Outlet supervision this month',
      new TablePanel()
        .title('Outlet supervision this month')
        .span(12)
        .height(8)
        .overrideByName('supervision', [
          {
            id: 'mappings',
            value: [
              {
                type: MappingType.ValueToText,
                options: {
                  ok: { text: 'ok', color: 'green', index: 0 },
                  warning: { text: 'warning', color: 'orange', index: 1 },
                  suspended: { text: 'suspended: no dispatches', color: 'red', index: 2 }
                }
              }
            ]
          },
          { id: 'custom.cellOptions', value: { type: 'color-background' } }
        ]),
      [
        kit.sql(
          'A',
          `SELECT outlet, supervision, jobs, complaints, acceptable_complaints, complaint_ppm, dissatisfaction_ppm, omission_ppm, computed_at
  FROM outlet_kpis
 WHERE outlet IN ($outlet) AND month = date_trunc('month', now() AT TIME ZONE 'UTC')::date
 ORDER BY CASE supervision WHEN 'suspended' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END, outlet`,
          [
            'outlet',
            'supervision',
            'jobs',
            'complaints',
            'acceptable_complaints',
            'complaint_ppm',
            'dissatisfaction_ppm',
            'omission_ppm',
            'computed_at'
          ]
        )
      ]
    )
    .panel('Complaints received', new TablePanel().title('Complaints received').span(12).height(8), [
      kit.sql(
        'A',
        `SELECT received_at, outlet, order_id, device_id AS device, category, text
  FROM complaints WHERE outlet IN ($outlet) AND $__timeFilter(received_at)
 ORDER BY received_at DESC LIMIT 200`,
        ['received_at', 'outlet', 'order_id', 'device', 'category', 'text']
      )
    ])
  return kit
}
