import { useMemo } from 'react'
import type { LatencySeries, StubSample } from '../../../../shared/systems/nginx'
import { EChart, timeAxis, type EChartOption } from '../../components/EChart'
import { breakGaps } from '../../components/time-gaps'
import { SERIES_COLORS } from '../../components/series-colors'

const axisText = { color: '#909296' }
const splitLine = { lineStyle: { color: '#373a40' } }
const grid = { left: 48, right: 16, top: 32, bottom: 28 }
/** What every time chart of the app tier shares: no animation, a legend on top, time along the bottom. */
const timeChart = { backgroundColor: 'transparent', animation: false, grid, legend: { top: 0, textStyle: { color: '#c1c2c5' } }, xAxis: timeAxis() }

/** Requests per second through nginx, from stub_status counters between two polls. */
export function RequestRateChart({ samples }: { samples: StubSample[] }) {
  const option = useMemo<EChartOption>(
    () => ({
      ...timeChart,
      tooltip: { trigger: 'axis', valueFormatter: (v: number | null) => (v === null ? '—' : `${v.toFixed(1)}/s`) },
      yAxis: { type: 'value', name: '/s', nameTextStyle: axisText, axisLabel: axisText, splitLine },
      series: [
        {
          name: 'requests',
          type: 'line',
          showSymbol: false,
          itemStyle: { color: SERIES_COLORS[0] },
          data: breakGaps(samples.map((s) => [s.at, s.requestsPerSec])),
        },
        {
          name: 'connections accepted',
          type: 'line',
          showSymbol: false,
          itemStyle: { color: SERIES_COLORS[1] },
          data: breakGaps(samples.map((s) => [s.at, s.acceptsPerSec])),
        },
      ],
    }),
    [samples],
  )
  return <EChart option={option} height={200} testId="request-rate-chart" />
}

/** Client connections by state (reading, writing, waiting) over time. */
export function ConnectionsChart({ samples }: { samples: StubSample[] }) {
  const option = useMemo<EChartOption>(() => {
    const states = ['reading', 'writing', 'waiting'] as const
    return {
      ...timeChart,
      tooltip: { trigger: 'axis' },
      yAxis: { type: 'value', minInterval: 1, axisLabel: axisText, splitLine },
      series: states.map((k, i) => ({
        name: k,
        type: 'line',
        stack: 'connections',
        areaStyle: { opacity: 0.35 },
        showSymbol: false,
        itemStyle: { color: SERIES_COLORS[i + 2] },
        data: breakGaps(samples.map((s) => [s.at, s[k]])),
      })),
    }
  }, [samples])
  return <EChart option={option} height={200} testId="connections-chart" />
}

/** p50 (dashed) and p95 (solid) response time per upstream, from nginx's access log. */
export function ResponseTimeChart({ series }: { series: LatencySeries[] }) {
  const option = useMemo<EChartOption>(
    () => ({
      ...timeChart,
      tooltip: { trigger: 'axis', valueFormatter: (v: number | null) => (v === null ? '—' : `${Math.round(v)} ms`) },
      yAxis: { type: 'value', name: 'ms', nameTextStyle: axisText, axisLabel: axisText, splitLine },
      series: series.flatMap((s, i) => [
        {
          name: `${s.upstream} p95`,
          type: 'line',
          showSymbol: false,
          itemStyle: { color: SERIES_COLORS[i % SERIES_COLORS.length] },
          data: breakGaps(s.points.map((p) => [p.at, p.p95Ms])),
        },
        {
          name: `${s.upstream} p50`,
          type: 'line',
          showSymbol: false,
          lineStyle: { type: 'dashed', width: 1 },
          itemStyle: { color: SERIES_COLORS[i % SERIES_COLORS.length] },
          data: breakGaps(s.points.map((p) => [p.at, p.p50Ms])),
        },
      ]),
    }),
    [series],
  )
  return <EChart option={option} height={200} testId="response-time-chart" />
}
