import { useMemo } from 'react'
import { METRIC_NAME, METRIC_UNIT, type ScalingDecision, type ScalingPolicy } from '../../../../shared/autoscale'
import { EChart, timeAxis, type EChartOption } from '../../components/EChart'
import { SERIES_COLORS } from '../../components/series-colors'

const axisText = { color: '#909296' }
const splitLine = { lineStyle: { color: '#373a40' } }
const OUTCOME_COLOR: Record<ScalingDecision['outcome'], string> = {
  held: '#868e96',
  recommended: '#fab005',
  deferred: '#fd7e14',
  scaled: '#40c057',
  failed: '#fa5252',
}

/**
 * A policy's history: the replicas over time (a step line), the metric that decides most often
 * behind them with its up and down thresholds, and every decision that was not a hold as a marker
 * coloured by its outcome, its reason in the tooltip.
 */
export function ScalingHistoryChart({ policy, decisions }: { policy: ScalingPolicy; decisions: readonly ScalingDecision[] }) {
  const option = useMemo<EChartOption>(() => {
    const rule = policy.metrics[0]!
    const metricOf = (d: ScalingDecision) => d.metrics.find((m) => m.metric === rule.metric)?.value ?? null
    const acted = decisions.filter((d) => d.verdict !== 'hold')
    return {
      backgroundColor: 'transparent',
      animation: false,
      grid: { left: 40, right: 84, top: 32, bottom: 28 },
      legend: { top: 0, textStyle: { color: '#c1c2c5' } },
      tooltip: { trigger: 'item' },
      xAxis: timeAxis(),
      yAxis: [
        { type: 'value', name: 'replicas', min: 0, minInterval: 1, nameTextStyle: axisText, axisLabel: axisText, splitLine },
        { type: 'value', name: METRIC_UNIT[rule.metric], nameTextStyle: axisText, axisLabel: axisText, splitLine: { show: false } },
      ],
      series: [
        {
          name: 'replicas',
          type: 'line',
          step: 'end',
          showSymbol: false,
          itemStyle: { color: SERIES_COLORS[0] },
          data: decisions.map((d) => [d.at, d.outcome === 'scaled' ? d.desired : d.replicas]),
        },
        {
          name: METRIC_NAME[rule.metric],
          type: 'line',
          yAxisIndex: 1,
          showSymbol: false,
          lineStyle: { width: 1 },
          itemStyle: { color: SERIES_COLORS[2] },
          data: decisions.map((d) => [d.at, metricOf(d)]),
          markLine: {
            symbol: 'none',
            label: { color: '#c1c2c5', formatter: '{b}' },
            data: [
              { name: `up > ${rule.up}`, yAxis: rule.up, lineStyle: { color: '#fa5252', type: 'dashed' } },
              { name: `down < ${rule.down}`, yAxis: rule.down, lineStyle: { color: '#4dabf7', type: 'dashed' } },
            ],
          },
        },
        {
          name: 'decisions',
          type: 'scatter',
          symbolSize: 12,
          data: acted.map((d) => ({
            value: [d.at, d.outcome === 'scaled' ? d.desired : d.replicas],
            itemStyle: { color: OUTCOME_COLOR[d.outcome] },
            // a function, not a template: a reason's braces are text, not ECharts placeholders
            tooltip: {
              formatter: () =>
                `${new Date(d.at).toLocaleTimeString()} ${d.verdict} ${d.replicas} → ${d.desired}: ${d.outcome}\n${d.reason}${d.detail ? `\n${d.detail}` : ''}`,
            },
          })),
        },
      ],
    }
  }, [policy, decisions])
  return <EChart option={option} height={220} testId={`scaling-history-${policy.name}`} />
}
