/** Redis Cluster hash slots: key → slot, and compact slot ranges. Pure; used by main, renderer, tests and the bench. */

export const SLOT_COUNT = 16384
export const MAX_SLOT = SLOT_COUNT - 1

export interface SlotRange {
  start: number
  end: number
}

const crcTable = (() => {
  const t = new Uint16Array(256)
  for (let i = 0; i < 256; i++) {
    let c = i << 8
    for (let j = 0; j < 8; j++) c = c & 0x8000 ? ((c << 1) ^ 0x1021) & 0xffff : (c << 1) & 0xffff
    t[i] = c
  }
  return t
})()

/** CRC16-CCITT (XMODEM), the checksum Redis Cluster uses for key slots. */
export function crc16(bytes: Uint8Array): number {
  let crc = 0
  for (const b of bytes) crc = ((crc << 8) & 0xffff) ^ crcTable[((crc >> 8) ^ b) & 0xff]!
  return crc
}

const encoder = new TextEncoder()

/** The hash slot of a key, honouring {hash tags} exactly as Redis does. */
export function keySlot(key: string | Uint8Array): number {
  const bytes = typeof key === 'string' ? encoder.encode(key) : key
  const open = bytes.indexOf(0x7b) // {
  if (open !== -1) {
    const close = bytes.indexOf(0x7d, open + 1) // }
    if (close !== -1 && close !== open + 1) return crc16(bytes.subarray(open + 1, close)) & MAX_SLOT
  }
  return crc16(bytes) & MAX_SLOT
}

export function isSlot(n: number): boolean {
  return Number.isInteger(n) && n >= 0 && n <= MAX_SLOT
}

/** Sorted, merged ranges from any list of slots (duplicates allowed). */
export function toRanges(slots: Iterable<number>): SlotRange[] {
  const sorted = [...new Set(slots)].sort((a, b) => a - b)
  const out: SlotRange[] = []
  for (const s of sorted) {
    const last = out[out.length - 1]
    if (last && s === last.end + 1) last.end = s
    else out.push({ start: s, end: s })
  }
  return out
}

/** Sort and merge overlapping or adjacent ranges. */
export function normalizeRanges(ranges: readonly SlotRange[]): SlotRange[] {
  const sorted = ranges.map((r) => ({ start: Math.min(r.start, r.end), end: Math.max(r.start, r.end) })).sort((a, b) => a.start - b.start)
  const out: SlotRange[] = []
  for (const r of sorted) {
    const last = out[out.length - 1]
    if (last && r.start <= last.end + 1) last.end = Math.max(last.end, r.end)
    else out.push({ ...r })
  }
  return out
}

export function* slotsOf(ranges: readonly SlotRange[]): Generator<number> {
  for (const r of ranges) for (let s = r.start; s <= r.end; s++) yield s
}

export function expandRanges(ranges: readonly SlotRange[]): number[] {
  return [...slotsOf(ranges)]
}

export function countSlots(ranges: readonly SlotRange[]): number {
  return ranges.reduce((n, r) => n + (r.end - r.start + 1), 0)
}

/** "0-5460,7000,9000-9010" — the way redis-cli and DBAs write slot sets. */
export function formatRanges(ranges: readonly SlotRange[]): string {
  if (ranges.length === 0) return '(none)'
  return ranges.map((r) => (r.start === r.end ? `${r.start}` : `${r.start}-${r.end}`)).join(',')
}

/** Parse "0-5460,7000" back into ranges; throws on anything that is not a slot. */
export function parseRanges(text: string): SlotRange[] {
  const out: SlotRange[] = []
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part)
    if (!m) throw new Error(`"${part}" is not a slot or slot range`)
    const start = Number(m[1])
    const end = m[2] === undefined ? start : Number(m[2])
    if (!isSlot(start) || !isSlot(end) || end < start) throw new Error(`"${part}" is not a valid slot range (0-${MAX_SLOT})`)
    out.push({ start, end })
  }
  return normalizeRanges(out)
}

/** Slots of the full space not covered by any of the ranges. */
export function uncoveredRanges(covered: readonly SlotRange[]): SlotRange[] {
  const merged = normalizeRanges(covered)
  const out: SlotRange[] = []
  let next = 0
  for (const r of merged) {
    if (r.start > next) out.push({ start: next, end: r.start - 1 })
    next = Math.max(next, r.end + 1)
  }
  if (next <= MAX_SLOT) out.push({ start: next, end: MAX_SLOT })
  return out
}

/** Split ranges into chunks of at most `size` slots each, keeping contiguity inside a chunk. */
export function chunkRanges(ranges: readonly SlotRange[], size: number): SlotRange[][] {
  const chunks: SlotRange[][] = []
  let current: SlotRange[] = []
  let n = 0
  for (const r of normalizeRanges(ranges)) {
    let start = r.start
    while (start <= r.end) {
      const take = Math.min(size - n, r.end - start + 1)
      current.push({ start, end: start + take - 1 })
      n += take
      start += take
      if (n === size) {
        chunks.push(current)
        current = []
        n = 0
      }
    }
  }
  if (current.length) chunks.push(current)
  return chunks
}

/** The first `count` slots of the ranges (in slot order). */
export function takeSlots(ranges: readonly SlotRange[], count: number): SlotRange[] {
  const out: SlotRange[] = []
  let left = count
  for (const r of normalizeRanges(ranges)) {
    if (left <= 0) break
    const n = Math.min(left, r.end - r.start + 1)
    out.push({ start: r.start, end: r.start + n - 1 })
    left -= n
  }
  return out
}

/** The last `count` slots of the ranges (in slot order). */
export function takeLastSlots(ranges: readonly SlotRange[], count: number): SlotRange[] {
  const out: SlotRange[] = []
  let left = count
  const sorted = normalizeRanges(ranges)
  for (let i = sorted.length - 1; i >= 0 && left > 0; i--) {
    const r = sorted[i]!
    const n = Math.min(left, r.end - r.start + 1)
    out.unshift({ start: r.end - n + 1, end: r.end })
    left -= n
  }
  return out
}

export function subtractRanges(from: readonly SlotRange[], remove: readonly SlotRange[]): SlotRange[] {
  const drop = new Set(slotsOf(remove))
  return toRanges([...slotsOf(from)].filter((s) => !drop.has(s)))
}
