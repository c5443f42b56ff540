import { AnnotationQueryBuilder } from '@grafana/grafana-foundation-sdk/dashboard'
import { PanelBuilder as BarChartPanel } from '@grafana/grafana-foundation-sdk/barchart'
import { PanelBuilder as GeomapPanel } from '@grafana/grafana-foundation-sdk/geomap'
import { PanelBuilder as TimeseriesPanel } from '@grafana/grafana-foundation-sdk/timeseries'
import {
  GraphThresholdsStyleConfigBuilder,
  GraphThresholdsStyleMode
} from '@grafana/grafana-foundation-sdk/common'
import { BoardKit, POSTGRES, limit, variables } from '../kit.js'
import { componentHealthTable, orderAnnotationSql } from './common.js'

const dashed = () => new GraphThresholdsStyleConfigBuilder().mode(GraphThresholdsStyleMode.Dashed)

function deviceBoard(kind: 'purifier' | 'machine', title: string, description: string): BoardKit {
  const kit = new BoardKit(`aftercare-${kind}`, title, description)
  kit.builder
    .time({ from: 'now-90d', to: 'now+30d' })
    .withVariable(variables.region())
    .withVariable(variables.model(kind))
    .withVariable(variables.device(kind))
  const orders = kit.sql('A', orderAnnotationSql(), ['time', 'text', 'tags'])
  kit.expectations.push({ board: kit.uid, panel: 'annotation: Orders', refId: 'A', columns: orders.columns })
  kit.builder.annotation(
    new AnnotationQueryBuilder()
      .name('Orders')
      .datasource(POSTGRES)
      .enable(true)
      .iconColor('orange')
      .target(orders.target)
  )
  return kit
}

/** Purifier detail: daily litres against the forecast, water quality against its limits, each stage's life. */
export function purifierBoard(): BoardKit {
  const kit = deviceBoard(
    'purifier',
    'aftercare · Purifier detail',
    'One purifier: daily litres vs the 30-day forecast, TDS in/out and RO salt rejection against 80 %, outlet pressure, remaining life of each stage with its predicted change date; orders as annotations.'
  )
  const telemetry = `FROM purifier_telemetry WHERE $timeFilter AND device = '$device' GROUP BY time($__interval) fill(none)`
  usageVsForecast(kit, 'Daily litres: actual and forecast', 'purifier_daily', 'll', 'litres', 'litre')
  kit
    .panel(
      'TDS in and out (ppm; outlet limit 100)',
      new TimeseriesPanel()
        .title('TDS in and out (ppm; outlet limit 100)')
        .span(8)
        .height(8)
        .thresholds(limit(100))
        .thresholdsStyle(dashed()),
      [
        kit.influx('A', `SELECT mean(tdsIn) AS tds_in, mean(tdsOut) AS tds_out ${telemetry}`, [
          'time',
          'tds_in',
          'tds_out'
        ])
      ]
    )
    .panel(
      'RO salt rejection (limit 80 %)',
      new TimeseriesPanel()
        .title('RO salt rejection (limit 80 %)')
        .span(8)
        .height(8)
        .unit('percentunit')
        .thresholds(limit(0.8, 'red'))
        .thresholdsStyle(dashed()),
      [
        kit.influx('A', `SELECT 1 - mean(tdsOut) / mean(tdsIn) AS rejection ${telemetry}`, [
          'time',
          'rejection'
        ])
      ]
    )
    .panel(
      'Outlet pressure (kPa)',
      new TimeseriesPanel().title('Outlet pressure (kPa)').span(8).height(8).unit('pressurekpa'),
      [kit.influx('A', `SELECT mean(pressureKpa) AS pressure_kpa ${telemetry}`, ['time', 'pressure_kpa'])]
    )
  componentHealthTable(kit, 'Remaining life of each stage')
  return kit
}

/** Machine detail: engine hours against the forecast, temperatures and pressure against limits, faults, service due, location. */
export function machineBoard(): BoardKit {
  const kit = deviceBoard(
    'machine',
    'aftercare · Machine detail',
    'One construction machine: engine hours per day vs the forecast, coolant and hydraulic oil temperatures against their limits, hydraulic pressure, faults by grade, service items due, last location; orders as annotations.'
  )
  const telemetry = `FROM machine_telemetry WHERE $timeFilter AND device = '$device' GROUP BY time($__interval) fill(none)`
  const overheat = (at: number) => [
    { id: 'thresholds', value: limit(at).build() },
    { id: 'custom.thresholdsStyle', value: { mode: 'dashed' } }
  ]
  usageVsForecast(kit, 'Engine hours per day: actual and forecast', 'machine_daily', 'hl', 'hours', 'h')
  kit
    .panel(
      'Coolant (limit 105 °C) and hydraulic oil (limit 90 °C)',
      new TimeseriesPanel()
        .title('Coolant (limit 105 °C) and hydraulic oil (limit 90 °C)')
        .span(12)
        .height(8)
        .unit('celsius')
        .overrideByName('coolant_c', overheat(105))
        .overrideByName('hyd_oil_c', overheat(90)),
      [
        kit.influx('A', `SELECT max(coolantC) AS coolant_c, max(hydOilC) AS hyd_oil_c ${telemetry}`, [
          'time',
          'coolant_c',
          'hyd_oil_c'
        ])
      ]
    )
    .panel(
      'Hydraulic pressure (bar)',
      new TimeseriesPanel().title('Hydraulic pressure (bar)').span(12).height(8).unit('pressurebar'),
      [
        kit.influx('A', `SELECT mean(hydBar) AS hyd_bar, max(hydBar) AS hyd_bar_max ${telemetry}`, [
          'time',
          'hyd_bar',
          'hyd_bar_max'
        ])
      ]
    )
    .panel('Faults by grade', new BarChartPanel().title('Faults by grade').span(8).height(9), [
      kit.influx(
        'A',
        `SELECT count(detail) AS faults FROM device_events WHERE $timeFilter AND device = '$device' AND type = 'fault' GROUP BY grade`,
        ['time', 'faults', 'grade'],
        'table'
      )
    ])
  componentHealthTable(kit, 'Service items due')
  kit.panel('Last location', new GeomapPanel().title('Last location').span(8).height(9), [
    kit.influx(
      'A',
      `SELECT last(lat) AS latitude, last(lon) AS longitude FROM machine_telemetry WHERE $timeFilter AND device = '$device'`,
      ['time', 'latitude', 'longitude'],
      'table'
    )
  ])
  return kit
}

/** A day's use from the daily rollup's last counter reading, against the last pass's forecast and its band. */
function usageVsForecast(
  kit: BoardKit,
  title: string,
  rollup: string,
  lastCounter: string,
  unit: 'litres' | 'hours',
  grafanaUnit: string
): void {
  kit.panel(title, new TimeseriesPanel().title(title).span(24).height(8).unit(grafanaUnit), [
    kit.influx(
      'A',
      `SELECT non_negative_difference(last(${lastCounter})) AS ${unit} FROM ${rollup} WHERE $timeFilter AND device = '$device' GROUP BY time(1d) fill(none)`,
      ['time', unit]
    ),
    kit.influx(
      'B',
      `SELECT mean(expected) AS forecast, mean(low) AS low, mean(high) AS high FROM usage_forecast WHERE $timeFilter AND device = '$device' AND unit = '${unit}' GROUP BY time(1d) fill(none)`,
      ['time', 'forecast', 'low', 'high']
    )
  ])
}
