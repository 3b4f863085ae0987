import { useMemo } from 'react'
import type { PgLagSample, PgLagThresholds } from '../../../../shared/systems/postgres'
import { EChart, timeAxis, type EChartOption } from '../../components/EChart'
import { breakGaps } from '../../components/time-gaps'
import { SERIES_COLORS as COLORS } from '../../components/series-colors'

/** Replay lag per standby over time: bytes on the left axis (solid), seconds on the right (dashed). */
export function LagChart({ samples, thresholds }: { samples: PgLagSample[]; thresholds: PgLagThresholds }) {
  const option = useMemo<EChartOption>(() => {
    const standbys = [...new Set(samples.flatMap((s) => Object.keys(s.standbys)))].sort()
    return {
      backgroundColor: 'transparent',
      animation: false,
      grid: { left: 64, right: 48, top: 28, bottom: 28 },
      legend: { top: 0, textStyle: { color: '#c1c2c5' } },
      tooltip: { trigger: 'axis' },
      xAxis: timeAxis(),
      yAxis: [
        {
          type: 'value',
          name: 'bytes',
          min: 0,
          axisLabel: {
            color: '#909296',
            formatter: (v: number) => (v >= 1048576 ? `${(v / 1048576).toFixed(0)}M` : v >= 1024 ? `${(v / 1024).toFixed(0)}k` : `${v}`),
          },
          splitLine: { lineStyle: { color: '#373a40' } },
        },
        { type: 'value', name: 'seconds', min: 0, axisLabel: { color: '#909296' }, splitLine: { show: false } },
      ],
      series: standbys.flatMap((name, i) => [
        {
          name: `${name} bytes`,
          type: 'line',
          showSymbol: false,
          data: breakGaps(samples.map((s) => [s.at, s.standbys[name]?.bytes ?? null])),
          lineStyle: { color: COLORS[i % COLORS.length] },
          itemStyle: { color: COLORS[i % COLORS.length] },
          markLine:
            i === 0
              ? { silent: true, symbol: 'none', lineStyle: { color: '#fab005', type: 'dotted' }, data: [{ yAxis: thresholds.bytes.warn, name: 'warn' }] }
              : undefined,
        },
        {
          name: `${name} s`,
          type: 'line',
          yAxisIndex: 1,
          showSymbol: false,
          data: breakGaps(samples.map((s) => [s.at, s.standbys[name]?.seconds ?? null])),
          lineStyle: { color: COLORS[i % COLORS.length], type: 'dashed' },
          itemStyle: { color: COLORS[i % COLORS.length] },
        },
      ]),
    }
  }, [samples, thresholds])
  return <EChart option={option} height={260} testId="lag-chart" />
}
