import { useMemo } from 'react'
import type { CapacityResource } from '../../../../shared/capacity'
import { formatAmount } from '../../../../shared/domain/capacity-text'
import { EChart, timeAxis, type EChartOption } from '../../components/EChart'

const axisText = { color: '#909296' }
const splitLine = { lineStyle: { color: '#373a40' } }
const DAY = 86_400_000
const HORIZON_MAX = 60 * DAY
const CONE_POINTS = 24

/** The trend and its 95 % cone from now on: to the limit and a little past it, at most 60 days out. */
function cone(r: CapacityResource): { trend: [number, number][]; low: [number, number][]; band: [number, number][] } | undefined {
  const f =
    r.forecast7d.kind === 'runs-out' && (r.forecast30d.kind !== 'runs-out' || r.forecast7d.secondsLeft <= r.forecast30d.secondsLeft)
      ? r.forecast7d
      : r.forecast30d
  if (f.kind !== 'runs-out') return undefined
  const now = r.history.at(-1)?.at ?? Date.now()
  const horizon = Math.min(HORIZON_MAX, f.secondsLeft * 1.25 * 1000)
  const at = (i: number) => now + (horizon * i) / CONE_POINTS
  const value = (perDay: number, t: number) => f.current + (perDay * (t - now)) / DAY
  const ts = Array.from({ length: CONE_POINTS + 1 }, (_, i) => at(i))
  const [slow, fast] = [Math.min(...f.perDayInterval), Math.max(...f.perDayInterval)]
  return {
    trend: ts.map((t) => [t, value(f.perDay, t)]),
    low: ts.map((t) => [t, value(slow, t)]),
    // stacked on the low line: the band's height
    band: ts.map((t) => [t, value(fast, t) - value(slow, t)]),
  }
}

/** A resource's history with its limit, and where its trend goes from here: the forecast line in its cone. */
export function CapacityChart({ resource: r }: { resource: CapacityResource }) {
  const option = useMemo<EChartOption>(() => {
    const c = cone(r)
    const unit = r.gauge.unit
    const fmt = (v: number) => formatAmount(v, unit)
    return {
      backgroundColor: 'transparent',
      animation: false,
      grid: { left: 72, right: 24, top: 16, bottom: 28 },
      tooltip: { trigger: 'axis', valueFormatter: (v: unknown) => (typeof v === 'number' ? fmt(v) : '—') },
      xAxis: timeAxis(),
      yAxis: {
        type: 'value',
        min: 0,
        max: (e: { max: number }) => Math.max(e.max, r.gauge.limit) * 1.05,
        axisLabel: { ...axisText, formatter: fmt },
        splitLine,
      },
      series: [
        {
          name: 'history',
          type: 'line',
          showSymbol: false,
          lineStyle: { width: 1.5, color: '#5c7cfa' },
          data: r.history.map((p) => [p.at, p.value]),
          markLine: {
            symbol: 'none',
            silent: true,
            label: { color: '#ff8787', position: 'insideEndTop', formatter: () => `limit: ${r.gauge.limitLabel}` },
            data: [{ yAxis: r.gauge.limit, lineStyle: { color: '#fa5252', type: 'dashed' } }],
          },
        },
        ...(c
          ? [
              { name: 'cone low', type: 'line', stack: 'cone', showSymbol: false, lineStyle: { opacity: 0 }, data: c.low, tooltip: { show: false } },
              {
                name: '95 % interval',
                type: 'line',
                stack: 'cone',
                showSymbol: false,
                lineStyle: { opacity: 0 },
                areaStyle: { color: '#fab005', opacity: 0.18 },
                data: c.band,
                tooltip: { show: false },
              },
              { name: 'forecast', type: 'line', showSymbol: false, lineStyle: { type: 'dashed', color: '#fab005', width: 1.5 }, data: c.trend },
            ]
          : []),
      ],
    }
  }, [r])
  return <EChart option={option} height={200} testId={`capacity-chart-${r.key}`} />
}
