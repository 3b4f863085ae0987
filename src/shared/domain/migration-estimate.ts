import type { PredictedSeconds, RunEstimate } from '../actions'
import type { EarlierRun } from './run-estimate'
import { formatBytes } from './units'

/** One move of a plan as measured before it runs: what leaves the source for the target. */
export interface MoveMeasure {
  source: string
  target: string
  slots: number
  keys: number
  bytes: number
  /** Batches of slots the engine opens and closes together, and GETKEYSINSLOT → MIGRATE rounds over them. */
  batches: number
  drainRounds: number
}

/** A master's memory as INFO reports it (maxmemory 0: no limit), and its keys. */
export interface MasterMemory {
  addr: string
  usedMemory: number
  maxmemory: number
  keys: number
}

/**
 * The main dict's bucket array for n keys: it doubles to the next power of two when an insert
 * finds it full (_dictExpandIfNeeded, dict.c) and shrinks only in a later cron below 10 % fill.
 */
export const tableBytes = (keys: number) => 8 * Math.max(4, 2 ** Math.ceil(Math.log2(Math.max(1, keys))))

/** What a plan does to one master. */
export interface MasterWhatIf {
  addr: string
  slotsOut: number
  slotsIn: number
  keysOut: number
  keysIn: number
  bytesOut: number
  bytesIn: number
  usedBefore: number
  usedAfter: number
  maxmemory: number
}

/** Costs measured against the cluster right before the plan, without changing anything. */
export interface MigrationCalibration {
  /** Fastest PING round trip to the masters involved. */
  rttSec: number
  /** One durable save of the migration record: the engine saves after every batch, one save at a time. */
  saveSec: number
  /** Per key moved: serialised, restored, deleted, and its name read and sent by this process. */
  keySec: number
  /** Batches in flight at once (never two from one source). */
  concurrency: number
  /** Work outside the moves: reading the cluster again before running, agreement, verification. */
  fixedSec: number
}

/** Round trips per batch of slots besides the drain rounds: open on both sides, count, close on both, tell the others. */
export const ROUND_TRIPS_PER_BATCH = 6
/** Each drain round is a GETKEYSINSLOT pipeline and a MIGRATE pipeline. */
export const ROUND_TRIPS_PER_DRAIN = 2

/** Slots, keys and bytes per master, with each master's memory after the moves. */
export function perMaster(moves: readonly MoveMeasure[], memory: readonly MasterMemory[]): MasterWhatIf[] {
  const addrs = [...new Set([...memory.map((m) => m.addr), ...moves.flatMap((m) => [m.source, m.target])])]
  return addrs.map((addr) => {
    const out = moves.filter((m) => m.source === addr)
    const into = moves.filter((m) => m.target === addr)
    const sum = (ms: readonly MoveMeasure[], f: (m: MoveMeasure) => number) => ms.reduce((a, m) => a + f(m), 0)
    const mem = memory.find((m) => m.addr === addr)
    const before = mem?.usedMemory ?? 0
    const row = {
      addr,
      slotsOut: sum(out, (m) => m.slots),
      slotsIn: sum(into, (m) => m.slots),
      keysOut: sum(out, (m) => m.keys),
      keysIn: sum(into, (m) => m.keys),
      bytesOut: sum(out, (m) => m.bytes),
      bytesIn: sum(into, (m) => m.bytes),
      usedBefore: before,
      maxmemory: mem?.maxmemory ?? 0,
    }
    const keys = mem?.keys ?? 0
    const grown = Math.max(0, tableBytes(keys - row.keysOut + row.keysIn) - tableBytes(keys))
    return { ...row, usedAfter: Math.max(0, before - row.bytesOut + row.bytesIn + grown) }
  })
}

export const MEMORY_LIMIT_PCT = 90

/** A plan may not fill a master past 90 % of its maxmemory: eviction or OOM errors would hit the clients mid-move. */
export function memoryPrecheck(rows: readonly MasterWhatIf[], limitPct = MEMORY_LIMIT_PCT): { name: string; passed: boolean; detail: string } {
  const limited = rows.filter((r) => r.maxmemory > 0)
  const over = limited.filter((r) => r.usedAfter > (r.maxmemory * limitPct) / 100)
  const pct = (r: MasterWhatIf) => `${((r.usedAfter / r.maxmemory) * 100).toFixed(0)} %`
  return {
    name: `every master below ${limitPct} % of maxmemory after the moves`,
    passed: over.length === 0,
    detail: over.length
      ? over.map((r) => `${r.addr} would hold ${formatBytes(r.usedAfter)} = ${pct(r)} of ${formatBytes(r.maxmemory)}`).join('; ')
      : limited.length
        ? `highest after: ${limited
            .slice()
            .sort((a, b) => b.usedAfter / b.maxmemory - a.usedAfter / a.maxmemory)
            .slice(0, 1)
            .map((r) => `${r.addr} ${pct(r)} of ${formatBytes(r.maxmemory)}`)
            .join('')}`
        : 'no master has a maxmemory',
  }
}

const signed = (n: number, text: string) => (n === 0 ? '0' : `${n > 0 ? '+' : '−'}${text}`)

/** "127.0.0.1:7000: −1365 slots, −20 480 keys (−2.1 MiB); 14.2 MiB → 12.1 MiB of 100 MiB (12 %)". */
export function masterLines(rows: readonly MasterWhatIf[]): string[] {
  return rows
    .filter((r) => r.slotsIn || r.slotsOut)
    .map((r) => {
      const slots = r.slotsIn - r.slotsOut
      const keys = r.keysIn - r.keysOut
      const bytes = r.bytesIn - r.bytesOut
      const limit = r.maxmemory > 0 ? ` of ${formatBytes(r.maxmemory)} (${((r.usedAfter / r.maxmemory) * 100).toFixed(0)} %)` : ' (no maxmemory)'
      return `${r.addr}: ${signed(slots, `${Math.abs(slots)} slots`)}, ${signed(keys, `${Math.abs(keys)} keys`)} (${signed(bytes, formatBytes(Math.abs(bytes)))}); memory ${formatBytes(r.usedBefore)} → ${formatBytes(r.usedAfter)}${limit}`
    })
}

/** What a migration plan records of itself, so that later plans can weigh this cluster's own runs. */
export interface MigrationLoad {
  slots: number
  keys: number
  bytes: number
  /** Round trips and batches of the whole migration, and of its busiest source (which works its batches one after another). */
  trips: number
  busiestTrips: number
  batches: number
  busiestBatches: number
}

export function migrationLoad(moves: readonly MoveMeasure[]): MigrationLoad {
  const bySource = new Map<string, { trips: number; batches: number }>()
  for (const m of moves) {
    const s = bySource.get(m.source) ?? { trips: 0, batches: 0 }
    s.trips += m.batches * ROUND_TRIPS_PER_BATCH + m.drainRounds * ROUND_TRIPS_PER_DRAIN
    s.batches += m.batches
    bySource.set(m.source, s)
  }
  const sources = [...bySource.values()]
  const busiest = sources.sort((a, b) => b.trips - a.trips)[0] ?? { trips: 0, batches: 0 }
  const sum = (f: (m: MoveMeasure) => number) => moves.reduce((a, m) => a + f(m), 0)
  return {
    slots: sum((m) => m.slots),
    keys: sum((m) => m.keys),
    bytes: sum((m) => m.bytes),
    trips: sources.reduce((a, s) => a + s.trips, 0),
    busiestTrips: busiest.trips,
    batches: sum((m) => m.batches),
    busiestBatches: busiest.batches,
  }
}

/**
 * The engine's time from first principles, as the largest of its lower bounds: every key passes
 * through this one process (its GETKEYSINSLOT reply and its MIGRATE), so key work adds up across
 * moves; every batch ends with a durable save, one at a time; the busiest source works its
 * batches (round trips, then the save) one after another; round trips of different sources
 * overlap up to the concurrency.
 */
export function modelSeconds(load: MigrationLoad, cal: MigrationCalibration): number {
  return Math.max(
    load.keys * cal.keySec,
    load.batches * cal.saveSec,
    load.busiestTrips * cal.rttSec + load.busiestBatches * cal.saveSec,
    (load.trips * cal.rttSec) / Math.max(1, cal.concurrency),
  )
}

const micro = (sec: number) => (sec < 0.001 ? `${(sec * 1e6).toFixed(0)} µs` : `${(sec * 1000).toFixed(1)} ms`)

const LOAD_FIELDS = ['slots', 'keys', 'bytes', 'trips', 'busiestTrips', 'batches', 'busiestBatches'] as const

function loadOf(stored: Record<string, number> | undefined): MigrationLoad | undefined {
  if (!stored || !LOAD_FIELDS.every((f) => Number.isFinite(stored[f]))) return undefined
  return Object.fromEntries(LOAD_FIELDS.map((f) => [f, stored[f]!])) as unknown as MigrationLoad
}

/**
 * The predicted duration: the model, with today's calibration, scaled by how this cluster's earlier
 * migrations compared with the same model of their own load (the median ratio of what they took
 * beyond their fixed part); the bare model with a wide range when there is no earlier run.
 */
export function migrationEstimate(load: MigrationLoad, cal: MigrationCalibration, earlier: readonly EarlierRun[], kind?: string): RunEstimate {
  const model = modelSeconds(load, cal)
  // runs of the same action first: an add-master's time also holds its CLUSTER MEET
  const same = earlier.filter((r) => r.kind === kind)
  earlier = same.length ? same : earlier
  const stored = { ...load, fixedSec: cal.fixedSec, rttSec: cal.rttSec, saveSec: cal.saveSec, keySec: cal.keySec }
  const ratios = earlier
    .slice(0, 5)
    .flatMap((r) => {
      const theirs = loadOf(r.estimate?.load)
      const m = theirs ? modelSeconds(theirs, cal) : 0
      return m > 0 ? [Math.max(0, r.actual.duration - (r.estimate?.load.fixedSec ?? 0)) / m] : []
    })
    .sort((a, b) => a - b)
  if (!ratios.length) {
    const seconds = cal.fixedSec + model
    return {
      duration: { seconds, low: cal.fixedSec + model / 2, high: cal.fixedSec + model * 3 },
      basis: `no earlier migration on this cluster: ${micro(cal.rttSec)} per round trip and ${micro(cal.saveSec)} per saved batch measured now, the engine's typical ${micro(cal.keySec)} per key; the run teaches this cluster's own rate`,
      load: stored,
    }
  }
  const mid = ratios.length >> 1
  const ratio = ratios.length % 2 ? ratios[mid]! : (ratios[mid - 1]! + ratios[mid]!) / 2
  const [lo, hi] = ratios.length === 1 ? [ratio * 0.8, ratio * 1.25] : [ratios[0]!, ratios.at(-1)!]
  const duration: PredictedSeconds = { seconds: cal.fixedSec + model * ratio, low: cal.fixedSec + model * lo, high: cal.fixedSec + model * hi }
  return {
    duration,
    basis: `${ratios.length === 1 ? 'the last migration' : `the last ${ratios.length} migrations`} on this cluster, scaled to this one's keys and round trips`,
    load: stored,
  }
}
