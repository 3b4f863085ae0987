import { useMemo } from 'react'
import type { RedisTopology } from '../../../../shared/systems/redis'
import { EChart, type EChartOption } from '../../components/EChart'
import { SERIES_COLORS } from '../../components/series-colors'

const COLS = 128
export const MASTER_COLORS = SERIES_COLORS
const UNCOVERED = '#fa5252'

export interface SlotHover {
  slot: number
  owner: string | null
  migratingTo?: string
  importingFrom?: string
}

/** All 16384 slots, 128 per row, coloured by owning master; open slots ringed, uncovered slots red. */
export function SlotMap({ topology, colorOf, onHover }: { topology: RedisTopology; colorOf: (masterId: string) => string; onHover: (h: SlotHover) => void }) {
  const option = useMemo<EChartOption>(() => {
    const masters = topology.masters.map((m) => m.id)
    const addr = new Map(topology.nodes.map((n) => [n.id, n.addr]))
    const cells: [number, number, number, number][] = []
    const open: [number, number, number][] = []
    for (const r of topology.slots) {
      const owner = r.owner ? masters.indexOf(r.owner) : -1
      for (let slot = r.start; slot <= r.end; slot++) {
        cells.push([slot % COLS, Math.floor(slot / COLS), owner, slot])
        if (r.migratingTo || r.importingFrom) open.push([slot % COLS, Math.floor(slot / COLS), slot])
      }
    }
    const bySlot = new Map(topology.slots.map((r) => [r.start, r]))
    const rangeOf = (slot: number) => {
      for (const r of topology.slots) if (slot >= r.start && slot <= r.end) return r
      return bySlot.get(slot)
    }
    return {
      backgroundColor: 'transparent',
      animation: false,
      grid: { left: 44, right: 8, top: 8, bottom: 8 },
      xAxis: { type: 'category', data: Array.from({ length: COLS }, (_, i) => i), show: false },
      yAxis: {
        type: 'category',
        inverse: true,
        data: Array.from({ length: 16384 / COLS }, (_, i) => i * COLS),
        axisLabel: { interval: 15, fontSize: 10, color: '#909296' },
        axisTick: { show: false },
        axisLine: { show: false },
      },
      tooltip: {
        formatter: (p: { data: number[] }) => {
          const slot = p.data[3] ?? p.data[2]!
          const r = rangeOf(slot)
          const owner = r?.owner ? (addr.get(r.owner) ?? r.owner.slice(0, 8)) : 'UNCOVERED'
          const mig = r?.migratingTo
            ? `\nmigrating to ${addr.get(r.migratingTo) ?? r.migratingTo.slice(0, 8)}`
            : r?.importingFrom
              ? `\nimporting from ${addr.get(r.importingFrom) ?? r.importingFrom.slice(0, 8)}`
              : ''
          return `slot ${slot}\n${owner}\nrange ${r ? `${r.start}-${r.end}` : '?'}${mig}`
        },
      },
      visualMap: {
        type: 'piecewise',
        show: false,
        dimension: 2,
        seriesIndex: 0,
        pieces: [{ value: -1, color: UNCOVERED }, ...masters.map((id, i) => ({ value: i, color: colorOf(id) }))],
      },
      series: [
        { type: 'heatmap', data: cells, progressive: 0, emphasis: { itemStyle: { borderColor: '#fff', borderWidth: 1 } } },
        { type: 'scatter', data: open, symbol: 'rect', symbolSize: 7, itemStyle: { color: 'transparent', borderColor: '#fff', borderWidth: 1.5 }, z: 3 },
      ],
    }
  }, [topology.slots, topology.masters, topology.nodes, colorOf])

  const hover = (data: unknown) => {
    if (!Array.isArray(data)) return
    const slot = (data.length === 4 ? data[3] : data[2]) as number
    const r = topology.slots.find((x) => slot >= x.start && slot <= x.end)
    onHover({ slot, owner: r?.owner ?? null, migratingTo: r?.migratingTo, importingFrom: r?.importingFrom })
  }
  return <EChart option={option} height={560} testId="slot-map" onEvent={(_t, d) => hover(d)} />
}
