import { BarChart, HeatmapChart, LineChart, ScatterChart } from 'echarts/charts'
import { DataZoomComponent, GridComponent, LegendComponent, MarkLineComponent, TooltipComponent, VisualMapComponent } from 'echarts/components'
import * as echarts from 'echarts/core'
import { CanvasRenderer } from 'echarts/renderers'
import { useEffect, useRef } from 'react'
import { dropChartWork, queueChartWork } from './chart-frames'

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

/**
 * One ECharts instance and what it has yet to draw. Drawing waits until the chart is on screen (or
 * within a short scroll of it) and goes through the page's one-chart-per-frame queue: charts far
 * below a long table cost nothing until someone scrolls to them.
 */
class ChartPainter {
  private option: EChartOption | undefined
  private sizeChanged = false
  private visible = false

  constructor(
    private readonly chart: echarts.ECharts,
    private readonly el: HTMLElement,
  ) {}

  show(option: EChartOption): void {
    this.option = option
    this.request()
  }

  resized(width: number, height: number): void {
    // the observer also reports the size the chart was created with: no redraw for that
    if (Math.round(width) === this.chart.getWidth() && Math.round(height) === this.chart.getHeight()) return
    this.sizeChanged = true
    this.request()
  }

  setVisible(visible: boolean): void {
    this.visible = visible
    this.request()
  }

  dispose(): void {
    dropChartWork(this)
    this.chart.dispose()
  }

  private request(): void {
    if (this.visible && (this.option || this.sizeChanged)) queueChartWork(this, () => this.paint())
  }

  private paint(): void {
    if (!this.visible) return
    const option = this.option
    this.option = undefined
    // a lazy setOption followed by resize() draws once, at the new size
    if (option) this.chart.setOption(hardened(option), { notMerge: true, lazyUpdate: this.sizeChanged })
    if (this.sizeChanged) this.chart.resize()
    this.sizeChanged = false
    if (option) this.el.dataset.drawn = 'true'
  }
}

/** One chart bound to a div: the option is replaced on every change, resized with its box. */
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
  const painter = useRef<ChartPainter>(undefined)
  const handler = useRef(onEvent)
  useEffect(() => {
    handler.current = onEvent
  }, [onEvent])
  useEffect(() => {
    const el = ref.current
    if (!el) return
    const chart = echarts.init(el, 'dark', { renderer: 'canvas' })
    chart.on('mouseover', (p) => handler.current?.('mouseover', (p as { data: unknown }).data))
    chart.on('click', (p) => handler.current?.('click', (p as { data: unknown }).data))
    const p = new ChartPainter(chart, el)
    painter.current = p
    const sizes = new ResizeObserver(([entry]) => entry && p.resized(entry.contentRect.width, entry.contentRect.height))
    const onScreen = new IntersectionObserver(([entry]) => entry && p.setVisible(entry.isIntersecting), { rootMargin: '200px' })
    sizes.observe(el)
    onScreen.observe(el)
    return () => {
      sizes.disconnect()
      onScreen.disconnect()
      p.dispose()
    }
  }, [])
  useEffect(() => {
    painter.current?.show(option)
  }, [option])
  return <div ref={ref} style={{ height, width: '100%' }} data-testid={testId} data-echart="" />
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
