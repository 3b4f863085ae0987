import { randomUUID } from 'node:crypto'
import type { ClusterNodeEntry, MigrationMove, MigrationProgress, MigrationRecord } from '../../../shared/systems/redis'
import { parseClusterNodes } from '../../../shared/domain/redis-parse'
import { chunkRanges, expandRanges, formatRanges, normalizeRanges, subtractRanges, type SlotRange } from '../../../shared/domain/slots'
import { SwitchyardError } from '../../core/errors'
import type { RedisClusterAccess } from './redis-client'
import type { MigrationStore } from './migration-store'
import { sleep } from '../../core/wait'
import { MigrationRun } from './migration-run'

/**
 * The slot-migration engine. Per batch of slots (source → target):
 *   target CLUSTER SETSLOT s IMPORTING <source>   (pipelined for the batch)
 *   source CLUSTER SETSLOT s MIGRATING <target>
 *   loop: source CLUSTER GETKEYSINSLOT s n → MIGRATE host port "" 0 timeout [REPLACE] [AUTH..] KEYS …
 *   source CLUSTER COUNTKEYSINSLOT s = 0 for every slot (never finalise a slot that still has keys)
 *   CLUSTER SETSLOT s NODE <target> on the target, then the source, then every other master.
 * Every step is pipelined across the slots of a batch (MIGRATE itself is single-slot in cluster mode,
 * so a batch sends one MIGRATE per slot in one round trip), and several batches run at once when their sources differ. Progress is persisted after every batch;
 * cancelling stops between batches, never with a slot left open.
 */

export interface MigrationOptions {
  access: RedisClusterAccess
  record: MigrationRecord
  store?: MigrationStore
  /** The cluster as seen at the start (for ids → addresses and the masters to tell). */
  nodes: readonly ClusterNodeEntry[]
  /** Slots that were found open at the start: their keys may already be on the target, so MIGRATE uses REPLACE. */
  resumeSlots?: ReadonlySet<number>
  batchKeys?: number
  chunkSlots?: number
  /** Batches in flight at once; never two from the same source. */
  concurrency?: number
  /** Batches in flight into one target. */
  perTarget?: number
  migrateTimeoutMs?: number
  signal?: AbortSignal
  onProgress?(p: MigrationProgress): void
  log?(message: string): void
}

export interface MigrationOutcome {
  migrationId: string
  slotsMoved: number
  slotsTotal: number
  keysMoved: number
  durationMs: number
  keysPerSec: number
}

/** One batch: a few slots of one move, source to target. */
export interface Job {
  source: ClusterNodeEntry
  target: ClusterNodeEntry
  ranges: SlotRange[]
}

/**
 * The batches still to run: each move's remaining slots the source owns, in batches of chunkSlots,
 * interleaved across moves so that batches of different sources can run side by side. Slots the
 * target already owns are done; slots owned by neither mean the plan is stale.
 */
export function planJobs(record: MigrationRecord, nodes: readonly ClusterNodeEntry[], chunkSlots: number): { queue: Job[]; alreadyDone: SlotRange[] } {
  const byId = new Map(nodes.map((n) => [n.id, n]))
  const owners = new Map<number, string>()
  for (const n of nodes) if (n.role === 'master') for (const s of expandRanges(n.slots)) owners.set(s, n.id)
  const perMove: Job[][] = []
  let alreadyDone: SlotRange[] = []
  for (const move of remainingMoves(record)) {
    const source = byId.get(move.source)
    const target = byId.get(move.target)
    if (!source || !target)
      throw new SwitchyardError('config', `migration ${record.migrationId}: node ${!source ? move.source : move.target} is not in the cluster any more`)
    const slots = expandRanges(move.ranges)
    const own = slots.filter((s) => owners.get(s) === source.id)
    const done = slots.filter((s) => owners.get(s) === target.id)
    const elsewhere = slots.filter((s) => owners.get(s) !== source.id && owners.get(s) !== target.id)
    if (elsewhere.length)
      throw new SwitchyardError(
        'config',
        `slots ${formatRanges(normalizeRanges(elsewhere.map((s) => ({ start: s, end: s }))))} are owned by neither ${source.addr} nor ${target.addr}; plan again`,
      )
    alreadyDone = alreadyDone.concat(done.map((s) => ({ start: s, end: s })))
    perMove.push(chunkRanges(normalizeRanges(own.map((s) => ({ start: s, end: s }))), chunkSlots).map((ranges) => ({ source, target, ranges })))
  }
  const queue: Job[] = []
  for (let i = 0; perMove.some((l) => i < l.length); i++) for (const l of perMove) if (l[i]) queue.push(l[i]!)
  return { queue, alreadyDone }
}

export function newMigrationRecord(environment: string, endpointId: string, moves: MigrationMove[], reason: string): MigrationRecord {
  const now = Date.now()
  return { migrationId: randomUUID(), environment, endpointId, reason, createdAt: now, updatedAt: now, moves, done: [], keysMoved: 0, state: 'running' }
}

export function remainingMoves(record: MigrationRecord): MigrationMove[] {
  return record.moves.map((m) => ({ ...m, ranges: subtractRanges(m.ranges, record.done) })).filter((m) => m.ranges.length > 0)
}

/** The exact commands for one slot, for plans and dry runs. */
export function slotCommands(source: ClusterNodeEntry, target: ClusterNodeEntry, slot: string, batchKeys: number, auth: string): string[] {
  return [
    `${target.addr}: CLUSTER SETSLOT ${slot} IMPORTING ${source.id}`,
    `${source.addr}: CLUSTER SETSLOT ${slot} MIGRATING ${target.id}`,
    `${source.addr}: CLUSTER GETKEYSINSLOT ${slot} ${batchKeys}  (repeat until empty)`,
    `${source.addr}: MIGRATE ${target.host} ${target.port} "" 0 10000${auth} KEYS <up to ${batchKeys} keys>`,
    `${source.addr}: CLUSTER COUNTKEYSINSLOT ${slot}  (must be 0)`,
    `${target.addr}: CLUSTER SETSLOT ${slot} NODE ${target.id}`,
    `${source.addr}: CLUSTER SETSLOT ${slot} NODE ${target.id}`,
    `every other master: CLUSTER SETSLOT ${slot} NODE ${target.id}`,
  ]
}

export function migrateAuthText(access: RedisClusterAccess): string {
  if (!access.password) return ''
  return access.username ? ` AUTH2 ${access.username} ***` : ' AUTH ***'
}

/** Move the slots of a migration record: work out the batches, run them a few at a time, persist and report as they finish. */
export async function runSlotMigration(opts: MigrationOptions): Promise<MigrationOutcome> {
  const { queue, alreadyDone } = planJobs(opts.record, opts.nodes, opts.chunkSlots ?? 32)
  return new MigrationRun(opts, alreadyDone).execute(queue)
}

/** Wait until every reachable master reports the same owner for every slot (after a migration). */
export async function waitForSlotAgreement(access: RedisClusterAccess, masters: readonly ClusterNodeEntry[], timeoutMs = 20_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const views = await Promise.all(
      masters.map((m) =>
        access
          .call(m.addr, ['CLUSTER', 'NODES'], 3000)
          .then((t) => parseClusterNodes(String(t)))
          .catch(() => null),
      ),
    )
    const sigs = views
      .filter((v): v is ClusterNodeEntry[] => v !== null)
      .map((v) =>
        v
          .filter((n) => n.role === 'master' && n.slots.length)
          .map((n) => `${n.id}=${formatRanges(n.slots)}`)
          .sort()
          .join(' '),
      )
    if (sigs.length && sigs.every((s) => s === sigs[0])) return true
    await sleep(200)
  }
  return false
}
