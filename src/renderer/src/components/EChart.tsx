import { BarChart, HeatmapChart, LineChart, ScatterChart } from 'echarts/charts'
import { DataZoomComponent, GridComponent, LegendComponent, MarkLineComponent, TooltipComponent, VisualMapComponent } from 'echarts/components'
import * as echarts from 'echarts/core'
import { CanvasRenderer } from 'echarts/renderers'
import { useEffect, useRef } from 'react'

echarts.use([
  BarChart,
  LineChart,
  HeatmapChart,
  ScatterChart,
  GridComponent,
  LegendComponent,
  TooltipComponent,
  VisualMapComponent,
  DataZoomComponent,
  MarkLineComponent,
  CanvasRenderer,
])

export type EChartOption = echarts.EChartsCoreOption

/**
 * Tooltips render as rich text on the canvas, never as HTML: node names, hosts and endpoint names
 * come from servers and imported files, and an HTML tooltip would run whatever markup they hold.
 */
function hardened(option: EChartOption): EChartOption {
  const tooltip = option.tooltip
  if (!tooltip) return option
  const harden = (t: object) => ({ ...t, renderMode: 'richText' })
  return { ...option, tooltip: Array.isArray(tooltip) ? tooltip.map((t: object) => harden(t)) : harden(tooltip) }
}

/** One ECharts instance bound to a div; the option is replaced on every change, resized with its box. */
export function EChart({
  option,
  height,
  testId,
  onEvent,
}: {
  option: EChartOption
  height: number
  testId?: string
  /** Mouse events on data items (mouseover, click), with the item's data. */
  onEvent?: (type: 'mouseover' | 'click', data: unknown) => void
}) {
  const ref = useRef<HTMLDivElement>(null)
  const chart = useRef<echarts.ECharts>(undefined)
  const handler = useRef(onEvent)
  useEffect(() => {
    handler.current = onEvent
  }, [onEvent])
  useEffect(() => {
    if (!ref.current) return
    chart.current = echarts.init(ref.current, 'dark', { renderer: 'canvas' })
    chart.current.on('mouseover', (p) => handler.current?.('mouseover', (p as { data: unknown }).data))
    chart.current.on('click', (p) => handler.current?.('click', (p as { data: unknown }).data))
    const observer = new ResizeObserver(() => chart.current?.resize())
    observer.observe(ref.current)
    return () => {
      observer.disconnect()
      chart.current?.dispose()
    }
  }, [])
  useEffect(() => {
    chart.current?.setOption(hardened(option), { notMerge: true })
  }, [option])
  return <div ref={ref} style={{ height, width: '100%' }} data-testid={testId} />
}

/** A small line of recent values, no axes: for cards and table cells. */
export function Sparkline({ values, color, height = 36, unit = '' }: { values: number[]; color: string; height?: number; unit?: string }) {
  const option: EChartOption = {
    backgroundColor: 'transparent',
    animation: false,
    grid: { left: 0, right: 0, top: 4, bottom: 2 },
    xAxis: { type: 'category', show: false, data: values.map((_, i) => i) },
    yAxis: { type: 'value', show: false, min: 0 },
    tooltip: { trigger: 'axis', valueFormatter: (v: unknown) => `${typeof v === 'number' ? v : '-'}${unit}` },
    series: [{ type: 'line', data: values, showSymbol: false, smooth: true, lineStyle: { width: 1.5, color }, areaStyle: { color, opacity: 0.15 } }],
  }
  return <EChart option={option} height={height} />
}

const axisLabelColor = '#909296'

/** An x axis in time: history from Prometheus and from this app can be days apart, and must look it. */
export function timeAxis(): EChartOption['xAxis'] {
  return { type: 'time', axisLabel: { color: axisLabelColor, hideOverlap: true }, splitLine: { show: false } }
}
