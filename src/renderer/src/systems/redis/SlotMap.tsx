import { memo, useEffect, useMemo, useRef, useState } from 'react'
import type { RedisTopology } from '../../../../shared/systems/redis'
import { SERIES_COLORS } from '../../components/series-colors'

const COLS = 128
const ROWS = 16384 / COLS
const LABEL_W = 44
const HEIGHT = 560
export const MASTER_COLORS = SERIES_COLORS
const UNCOVERED = '#fa5252'

export interface SlotHover {
  slot: number
  owner: string | null
  migratingTo?: string
  importingFrom?: string
}

type Range = RedisTopology['slots'][number]

/** Which range holds a slot: binary search over the ranges in slot order. */
function rangeAt(ranges: readonly Range[], slot: number): Range | undefined {
  let lo = 0
  let hi = ranges.length - 1
  while (lo <= hi) {
    const mid = (lo + hi) >> 1
    const r = ranges[mid]!
    if (slot < r.start) hi = mid - 1
    else if (slot > r.end) lo = mid + 1
    else return r
  }
  return undefined
}

/** Fill the cells of slots start..end, row by row (a range is at most a few rectangles). */
function fillSlots(g: CanvasRenderingContext2D, start: number, end: number, cw: number, ch: number, stroke = false): void {
  for (let s = start; s <= end;) {
    const row = Math.floor(s / COLS)
    const last = Math.min(end, row * COLS + COLS - 1)
    const x = LABEL_W + (s % COLS) * cw
    const w = (last - s + 1) * cw
    if (stroke) g.strokeRect(x + 0.5, row * ch + 0.5, w - 1, ch - 1)
    else g.fillRect(x, row * ch, w, ch)
    s = last + 1
  }
}

/**
 * All 16384 slots, 128 per row, coloured by owning master; open slots outlined, uncovered slots
 * red. Drawn on one canvas by ranges (a 60-master cluster is a few hundred rectangles), redrawn
 * only when ownership, migration state or colours change, so a poll of a large cluster costs
 * nothing here. The tooltip is React text: node names never become markup.
 */
export const SlotMap = memo(function SlotMap({
  topology,
  colorOf,
  onHover,
}: {
  topology: RedisTopology
  colorOf: (masterId: string) => string
  onHover: (h: SlotHover) => void
}) {
  const wrap = useRef<HTMLDivElement>(null)
  const canvas = useRef<HTMLCanvasElement>(null)
  const [width, setWidth] = useState(0)
  const [tip, setTip] = useState<{ x: number; y: number; slot: number }>()
  const signature = JSON.stringify([topology.slots, topology.masters.map((m) => [m.id, colorOf(m.id)])])
  // the ranges and node names as of the last change of the signature
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const slots = useMemo(() => [...topology.slots].sort((a, b) => a.start - b.start), [signature])
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const addr = useMemo(() => new Map(topology.nodes.map((n) => [n.id, n.addr])), [signature, topology.nodes.length])
  const lastSlot = useRef(-1)

  useEffect(() => {
    if (!wrap.current) return
    const observer = new ResizeObserver(([e]) => setWidth(Math.floor(e!.contentRect.width)))
    observer.observe(wrap.current)
    return () => observer.disconnect()
  }, [])

  useEffect(() => {
    const c = canvas.current
    if (!c || width <= LABEL_W) return
    const dpr = window.devicePixelRatio || 1
    c.width = width * dpr
    c.height = HEIGHT * dpr
    const g = c.getContext('2d')!
    g.setTransform(dpr, 0, 0, dpr, 0, 0)
    g.clearRect(0, 0, width, HEIGHT)
    const cw = (width - LABEL_W) / COLS
    const ch = HEIGHT / ROWS
    g.fillStyle = UNCOVERED
    g.fillRect(LABEL_W, 0, width - LABEL_W, HEIGHT)
    for (const r of slots) {
      if (!r.owner) continue
      g.fillStyle = colorOf(r.owner)
      fillSlots(g, r.start, r.end, cw, ch)
    }
    g.strokeStyle = '#ffffff'
    g.lineWidth = 1.5
    for (const r of slots) if (r.migratingTo || r.importingFrom) fillSlots(g, r.start, r.end, cw, ch, true)
    g.fillStyle = '#909296'
    g.font = '10px sans-serif'
    g.textBaseline = 'middle'
    for (let row = 0; row < ROWS; row += 16) g.fillText(String(row * COLS), 2, Math.max(6, row * ch + ch / 2))
    // colorOf is part of the signature
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [slots, width, signature])

  const move = (e: React.MouseEvent<HTMLCanvasElement>) => {
    const box = e.currentTarget.getBoundingClientRect()
    const x = e.clientX - box.left
    const y = e.clientY - box.top
    const col = Math.floor(((x - LABEL_W) / (box.width - LABEL_W)) * COLS)
    const row = Math.floor((y / box.height) * ROWS)
    if (col < 0 || col >= COLS || row < 0 || row >= ROWS) {
      setTip(undefined)
      return
    }
    const slot = row * COLS + col
    setTip({ x, y, slot })
    if (slot === lastSlot.current) return
    lastSlot.current = slot
    const r = rangeAt(slots, slot)
    onHover({ slot, owner: r?.owner ?? null, migratingTo: r?.migratingTo, importingFrom: r?.importingFrom })
  }

  const r = tip ? rangeAt(slots, tip.slot) : undefined
  const name = (id: string) => addr.get(id) ?? id.slice(0, 8)
  return (
    <div ref={wrap} style={{ position: 'relative', height: HEIGHT, width: '100%' }} data-testid="slot-map">
      <canvas
        ref={canvas}
        style={{ width: '100%', height: HEIGHT, display: 'block', cursor: 'crosshair' }}
        onMouseMove={move}
        onMouseLeave={() => setTip(undefined)}
      />
      {tip && (
        <div
          data-testid="slot-tooltip"
          style={{
            position: 'absolute',
            left: Math.min(tip.x + 12, width - 180),
            top: Math.min(tip.y + 12, HEIGHT - 80),
            pointerEvents: 'none',
            background: 'rgba(26,27,30,0.95)',
            border: '1px solid #373a40',
            borderRadius: 4,
            padding: '4px 8px',
            fontSize: 12,
            whiteSpace: 'pre',
            color: '#c1c2c5',
          }}
        >
          {`slot ${tip.slot}\n${r?.owner ? name(r.owner) : 'UNCOVERED'}\nrange ${r ? `${r.start}-${r.end}` : '?'}`}
          {r?.migratingTo ? `\nmigrating to ${name(r.migratingTo)}` : r?.importingFrom ? `\nimporting from ${name(r.importingFrom)}` : ''}
        </div>
      )}
    </div>
  )
})
