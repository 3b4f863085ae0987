import type { RunEstimate } from '../../../shared/actions'
import type { MigrationMove } from '../../../shared/systems/redis'
import {
  masterLines,
  memoryPrecheck,
  migrationEstimate,
  migrationLoad,
  perMaster,
  type MasterMemory,
  type MigrationCalibration,
  type MoveMeasure,
} from '../../../shared/domain/migration-estimate'
import type { EarlierRun } from '../../../shared/domain/run-estimate'
import { expandRanges } from '../../../shared/domain/slots'
import type { ClusterSnapshot } from './cluster-ops'
import { infoOf } from './cluster-ops'
import { splitBy } from './migration-run'
import type { MigrationStore } from './migration-store'
import { newMigrationRecord } from './slot-migration'

/** The kinds whose runs move slots: each one's measured duration teaches the next plan this cluster's rate. */
export const MIGRATION_KINDS = ['redis.rebalance', 'redis.add-master', 'redis.remove-master'] as const

/**
 * What a moved key costs before this cluster has a run of its own: the engine's rate on a loopback
 * cluster of small values (bench:estimate's first round). Earlier runs on the cluster replace it.
 */
const TYPICAL_KEY_SEC = 10e-6
const SAMPLE_SLOTS = 16
const SAMPLE_KEYS_PER_SLOT = 8
const COUNT_CHUNK = 2000
/** The engine's default batch of slots opened and closed together (runSlotMigration's chunkSlots). */
const CHUNK_SLOTS = 32

export interface MovePrediction {
  /** One line per master that gives or takes slots. */
  lines: string[]
  precheck: { name: string; passed: boolean; detail: string }
  estimate: RunEstimate
}

interface Options {
  /** The action planned: earlier runs of the same one are preferred. */
  kind: string
  /** Where the engine will save its progress after every batch: one save is timed there. */
  store: MigrationStore
  batchKeys: number
  concurrency: number
  earlier: readonly EarlierRun[]
  /** When the plan was started: reading the cluster again at run time costs about as much as this plan did. */
  startedAt: number
  /** Addresses of nodes the snapshot does not know yet (the master being added). */
  addrOf?(id: string): string | undefined
}

/** Keys in each of the slots, counted on their owner (COUNTKEYSINSLOT, pipelined). */
async function keysPerSlot(snap: ClusterSnapshot, addr: string, slots: readonly number[]): Promise<number[]> {
  const counts: number[] = []
  for (const part of splitBy([...slots], COUNT_CHUNK)) {
    const res = await snap.access.pipeline(
      addr,
      part.map((s) => ['CLUSTER', 'COUNTKEYSINSLOT', s]),
      15_000,
    )
    counts.push(...res.map(([err, n]) => (err ? 0 : Number(n))))
  }
  return counts
}

/** The fastest of ten PINGs: the link's round trip without the pauses of this process or the host. */
async function roundTrip(snap: ClusterSnapshot, addr: string): Promise<number> {
  let fastest = Infinity
  for (let i = 0; i < 10; i++) {
    const t0 = performance.now()
    await snap.access.call(addr, ['PING'], 2000)
    fastest = Math.min(fastest, (performance.now() - t0) / 1000)
  }
  return fastest
}

/** Bytes per key from MEMORY USAGE of a few keys of spread-out non-empty slots. */
async function bytesPerKey(snap: ClusterSnapshot, addr: string, slots: readonly number[], counts: readonly number[]): Promise<number> {
  const full = slots.filter((_, i) => counts[i]! > 0)
  const step = Math.max(1, Math.floor(full.length / SAMPLE_SLOTS))
  const picked = full.filter((_, i) => i % step === 0).slice(0, SAMPLE_SLOTS)
  if (!picked.length) return 0
  const found = await snap.access.pipeline(
    addr,
    picked.map((s) => ['CLUSTER', 'GETKEYSINSLOT', s, SAMPLE_KEYS_PER_SLOT]),
    10_000,
    true,
  )
  const keys = found.flatMap(([err, k]) => (err || !Array.isArray(k) ? [] : (k as Buffer[])))
  if (!keys.length) return 0
  const usage = await snap.access.pipeline(
    addr,
    keys.map((k) => ['MEMORY', 'USAGE', k]),
    10_000,
  )
  const sizes = usage.flatMap(([err, n]) => (err || n === null ? [] : [Number(n)]))
  return sizes.length ? sizes.reduce((a, b) => a + b, 0) / sizes.length : 0
}

/** The engine's batches for one move: slots in order, CHUNK_SLOTS at a time, each drained in rounds of batchKeys. */
function batchesOf(counts: readonly number[], batchKeys: number): { batches: number; drainRounds: number } {
  let drainRounds = 0
  const batches = Math.ceil(counts.length / CHUNK_SLOTS)
  for (let i = 0; i < counts.length; i += CHUNK_SLOTS) drainRounds += Math.ceil(Math.max(0, ...counts.slice(i, i + CHUNK_SLOTS)) / batchKeys) + 1
  return { batches, drainRounds }
}

/**
 * What a plan that moves slots will do, read from the cluster without changing it: per master the
 * slots, keys (COUNTKEYSINSLOT) and bytes (MEMORY USAGE of sampled keys × keys) that leave and
 * arrive, its memory after against maxmemory, and the time it will take — this cluster's earlier
 * migrations scaling a model of keys and round trips (the round trip measured now).
 */
export async function predictMoves(snap: ClusterSnapshot, moves: readonly MigrationMove[], opts: Options): Promise<MovePrediction> {
  const addrOf = (id: string) => snap.view.find((n) => n.id === id)?.addr ?? opts.addrOf?.(id) ?? id
  const sources = [...new Set(moves.map((m) => addrOf(m.source)))]
  const involved = [...new Set([...sources, ...moves.map((m) => addrOf(m.target))])]
  const rtts = await Promise.all(involved.map((a) => roundTrip(snap, a).catch(() => 0.001)))
  const rttSec = rtts.sort((a, b) => a - b)[rtts.length >> 1] ?? 0.001

  const measured: MoveMeasure[] = []
  for (const source of sources) {
    const own = moves.filter((m) => addrOf(m.source) === source)
    const slotsByMove = own.map((m) => expandRanges(m.ranges))
    const counts = await keysPerSlot(snap, source, slotsByMove.flat())
    const perKey = await bytesPerKey(snap, source, slotsByMove.flat(), counts)
    let at = 0
    own.forEach((m, i) => {
      const mine = counts.slice(at, at + slotsByMove[i]!.length)
      at += slotsByMove[i]!.length
      const keys = mine.reduce((a, b) => a + b, 0)
      measured.push({
        source,
        target: addrOf(m.target),
        slots: mine.length,
        keys,
        bytes: Math.round(keys * perKey),
        ...batchesOf(mine, opts.batchKeys),
      })
    })
  }

  const memory: MasterMemory[] = await Promise.all(
    involved.map(async (addr) => {
      const polled = snap.polls.find((p) => p.addr === addr)?.info
      const info: Record<string, string> = polled ?? (await infoOf(snap.access, addr, 'memory').catch(() => ({})))
      return {
        addr,
        usedMemory: Number(info.used_memory ?? 0),
        maxmemory: Number(info.maxmemory ?? 0),
        keys: Number(/keys=(\d+)/.exec(info.db0 ?? '')?.[1] ?? 0),
      }
    }),
  )
  const readSec = (Date.now() - opts.startedAt) / 1000
  const record = newMigrationRecord(snap.topology.seed ?? '', '', [...moves], 'calibration')
  const saveSec = await opts.store.timeSave(record)
  const calibration: MigrationCalibration = {
    rttSec,
    saveSec,
    keySec: TYPICAL_KEY_SEC,
    concurrency: opts.concurrency,
    // read again (and timed saves again) before running, once more to verify, plus the agreement poll
    fixedSec: 2 * readSec + 3 * saveSec + 0.2,
  }
  const rows = perMaster(measured, memory)
  return {
    lines: masterLines(rows),
    precheck: memoryPrecheck(rows),
    estimate: migrationEstimate(migrationLoad(measured), calibration, opts.earlier, opts.kind),
  }
}
