import { randomUUID } from 'node:crypto'
import type { ClusterNodeEntry, MigrationMove, MigrationProgress, MigrationRecord } from '../../../shared/systems/redis'
import { parseClusterNodes } from '../../../shared/domain/redis-parse'
import { chunkRanges, countSlots, expandRanges, formatRanges, normalizeRanges, subtractRanges, type SlotRange } from '../../../shared/domain/slots'
import { SwitchyardError } from '../../core/errors'
import type { RedisArg, RedisClusterAccess } from './redis-access'
import type { MigrationStore } from './migration-store'
import { sleep } from '../../core/wait'

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

interface Job {
  source: ClusterNodeEntry
  target: ClusterNodeEntry
  ranges: SlotRange[]
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

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}

/** Throw the first error of a pipeline, naming the command. */
function expectOk(results: [Error | null, unknown][], what: (i: number) => string): void {
  results.forEach(([err], i) => {
    if (err) throw new SwitchyardError('other', `${what(i)}: ${errorText(err)}`)
  })
}

export async function runSlotMigration(opts: MigrationOptions): Promise<MigrationOutcome> {
  const { access, record } = opts
  const batchKeys = opts.batchKeys ?? 1000
  const chunkSlots = opts.chunkSlots ?? 32
  const concurrency = Math.max(1, opts.concurrency ?? 3)
  const perTarget = Math.max(1, opts.perTarget ?? concurrency)
  const baseTimeout = opts.migrateTimeoutMs ?? 10_000
  const log = (message: string) => opts.log?.(message)
  const byId = new Map(opts.nodes.map((n) => [n.id, n]))
  const masters = opts.nodes.filter((n) => n.role === 'master' && !n.flags.some((f) => f === 'fail' || f === 'handshake' || f === 'noaddr'))
  const started = Date.now()

  // Work out the jobs: remaining slots of each move, skipping any the target already owns.
  const owners = new Map<number, string>()
  for (const n of opts.nodes) if (n.role === 'master') for (const s of expandRanges(n.slots)) owners.set(s, n.id)
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
  // Interleave the moves so that batches of different sources can run side by side.
  const queue: Job[] = []
  for (let i = 0; perMove.some((l) => i < l.length); i++) for (const l of perMove) if (l[i]) queue.push(l[i]!)

  const slotsTotal = record.moves.reduce((n, m) => n + countSlots(m.ranges), 0)
  record.done = normalizeRanges([...record.done, ...alreadyDone])
  record.state = 'running'
  let keysThisRun = 0
  const doneAtStart = countSlots(record.done)
  const inFlight = new Map<Job, number>()
  let lastEmit = 0
  const emit = (state: MigrationProgress['state'], force = false, message?: string) => {
    const now = Date.now()
    if (!force && now - lastEmit < 250) return
    lastEmit = now
    const slotsDone = countSlots(record.done)
    const secs = Math.max(0.001, (now - started) / 1000)
    const slotsThisRun = slotsDone - doneAtStart
    const rate = slotsThisRun / secs
    opts.onProgress?.({
      migrationId: record.migrationId,
      environment: record.environment,
      endpointId: record.endpointId,
      state,
      slotsDone,
      slotsTotal,
      keysMoved: record.keysMoved,
      keysPerSec: Math.round(keysThisRun / secs),
      etaSeconds: state === 'running' && rate > 0 ? Math.round((slotsTotal - slotsDone) / rate) : null,
      inFlight: [...inFlight.keys()].map((j) => ({ source: j.source.addr, target: j.target.addr, slots: countSlots(j.ranges) })),
      ...(message ? { message } : {}),
      at: now,
    })
  }
  let saving: Promise<void> = Promise.resolve()
  const persist = () => {
    if (!opts.store) return Promise.resolve()
    const snapshot = { ...record, done: [...record.done] }
    saving = saving.then(() => opts.store!.save(snapshot)).catch((err: unknown) => log(`could not persist migration progress: ${errorText(err)}`))
    return saving
  }
  await persist()
  emit('running', true)

  const migrateArgs = (target: ClusterNodeEntry, keys: Buffer[], replace: boolean, timeoutMs: number): RedisArg[] => {
    const args: RedisArg[] = ['MIGRATE', target.host, target.port, '', 0, timeoutMs]
    if (replace) args.push('REPLACE')
    if (access.password) {
      if (access.username) args.push('AUTH2', access.username, access.password)
      else args.push('AUTH', access.password)
    }
    args.push('KEYS', ...keys)
    return args
  }

  /** MIGRATE the keys in batches (pipelined on the source); retries with smaller batches and REPLACE after an I/O error. */
  const migrateKeys = async (job: Job, groups: { keys: Buffer[]; replace: boolean }[]): Promise<number> => {
    let moved = 0
    let size = batchKeys
    let timeoutMs = baseTimeout
    let work = groups.flatMap((g) => splitBy(g.keys, size).map((keys) => ({ keys, replace: g.replace, attempt: 0 })))
    while (work.length) {
      const res = await access.pipeline(
        job.source.addr,
        work.map((w) => migrateArgs(job.target, w.keys, w.replace, timeoutMs)),
        timeoutMs * work.length + 30_000,
      )
      const retry: typeof work = []
      res.forEach(([err], i) => {
        const w = work[i]!
        if (!err) {
          moved += w.keys.length
          return
        }
        const msg = errorText(err)
        if (/BUSYKEY/.test(msg)) {
          if (!w.replace)
            throw new SwitchyardError(
              'other',
              `MIGRATE ${job.source.addr} → ${job.target.addr}: the target already holds some of these keys (BUSYKEY). Not overwriting them on a fresh migration; inspect the slot, or resume the interrupted migration (which uses REPLACE).`,
            )
          throw new SwitchyardError('other', `MIGRATE with REPLACE still failed: ${msg}`)
        }
        if (/IOERR|TRYAGAIN|LOADING|timed? ?out|CLUSTERDOWN/i.test(msg) && w.attempt < 6) {
          // Keys may have reached the target before the error: the source still owns the slot, so its copy wins.
          const half = Math.max(1, Math.ceil(w.keys.length / 2))
          for (const keys of splitBy(w.keys, /IOERR|timed? ?out/i.test(msg) ? half : w.keys.length)) retry.push({ keys, replace: true, attempt: w.attempt + 1 })
          return
        }
        throw new SwitchyardError('other', `MIGRATE ${job.source.addr} → ${job.target.addr} failed: ${msg}`)
      })
      if (retry.length) {
        const attempt = Math.max(...retry.map((r) => r.attempt))
        timeoutMs = Math.min(120_000, timeoutMs * 2)
        size = Math.max(1, Math.floor(size / 2))
        log(`retrying ${retry.length} MIGRATE batch(es) ${job.source.addr} → ${job.target.addr} (attempt ${attempt}, timeout ${timeoutMs} ms)`)
        await sleep(100 * attempt)
      }
      work = retry
    }
    return moved
  }

  const runJob = async (job: Job): Promise<void> => {
    const { source, target } = job
    const slots = expandRanges(job.ranges)
    expectOk(
      await access.pipeline(
        target.addr,
        slots.map((s) => ['CLUSTER', 'SETSLOT', s, 'IMPORTING', source.id]),
      ),
      (i) => `${target.addr}: CLUSTER SETSLOT ${slots[i]} IMPORTING`,
    )
    expectOk(
      await access.pipeline(
        source.addr,
        slots.map((s) => ['CLUSTER', 'SETSLOT', s, 'MIGRATING', target.id]),
      ),
      (i) => `${source.addr}: CLUSTER SETSLOT ${slots[i]} MIGRATING`,
    )
    let pending = slots
    let rounds = 0
    while (pending.length) {
      if (++rounds > 100_000) throw new SwitchyardError('other', `slots ${formatRanges(job.ranges)} keep receiving keys; giving up`)
      const res = await access.pipeline(
        source.addr,
        pending.map((s) => ['CLUSTER', 'GETKEYSINSLOT', s, batchKeys]),
        30_000,
        true,
      )
      // MIGRATE is single-slot in cluster mode (CROSSSLOT otherwise): one command per slot, all pipelined.
      const groups: { keys: Buffer[]; replace: boolean }[] = []
      const full: number[] = []
      res.forEach(([err, reply], i) => {
        if (err) throw new SwitchyardError('other', `${source.addr}: CLUSTER GETKEYSINSLOT ${pending[i]}: ${errorText(err)}`)
        const keys = reply as Buffer[]
        if (keys.length >= batchKeys) full.push(pending[i]!)
        if (keys.length) groups.push({ keys, replace: opts.resumeSlots?.has(pending[i]!) ?? false })
      })
      if (groups.length) {
        const moved = await migrateKeys(job, groups)
        record.keysMoved += moved
        keysThisRun += moved
        emit('running')
      }
      pending = full
      if (pending.length === 0) {
        // Never finalise a slot that still holds keys (a write that raced the last GETKEYSINSLOT).
        const counts = await access.pipeline(
          source.addr,
          slots.map((s) => ['CLUSTER', 'COUNTKEYSINSLOT', s]),
        )
        pending = slots.filter((_, i) => !counts[i]?.[0] && Number(counts[i]?.[1]) > 0)
        counts.forEach(([err], i) => {
          if (err) throw new SwitchyardError('other', `${source.addr}: CLUSTER COUNTKEYSINSLOT ${slots[i]}: ${errorText(err)}`)
        })
      }
    }
    expectOk(
      await access.pipeline(
        target.addr,
        slots.map((s) => ['CLUSTER', 'SETSLOT', s, 'NODE', target.id]),
      ),
      (i) => `${target.addr}: CLUSTER SETSLOT ${slots[i]} NODE`,
    )
    const fromSource = await access.pipeline(
      source.addr,
      slots.map((s) => ['CLUSTER', 'SETSLOT', s, 'NODE', target.id]),
    )
    const refused = slots.filter((_, i) => fromSource[i]?.[0])
    if (refused.length) {
      // The source may already have learnt the new owner from the target over the cluster bus (and, having
      // lost its last slot, turned itself into a replica, which refuses SETSLOT): fine if it agrees.
      const seen = parseClusterNodes(String(await access.call(source.addr, ['CLUSTER', 'NODES'])))
      const owner = seen.find((n) => n.id === target.id)
      const agreed = new Set(owner ? expandRanges(owner.slots) : [])
      const bad = refused.filter((s) => !agreed.has(s))
      if (bad.length) {
        const i = slots.indexOf(bad[0]!)
        throw new SwitchyardError('other', `${source.addr}: CLUSTER SETSLOT ${bad[0]} NODE: ${errorText(fromSource[i]?.[0])}`)
      }
    }
    await Promise.all(
      masters
        .filter((m) => m.id !== source.id && m.id !== target.id)
        .map(async (m) => {
          try {
            const res = await access.pipeline(
              m.addr,
              slots.map((s) => ['CLUSTER', 'SETSLOT', s, 'NODE', target.id]),
            )
            const bad = res.find(([e]) => e)
            if (bad) log(`${m.addr}: SETSLOT NODE not applied (${errorText(bad[0])}); it will learn the owner from the cluster bus`)
          } catch (err) {
            log(`${m.addr}: SETSLOT NODE not sent (${errorText(err)}); it will learn the owner from the cluster bus`)
          }
        }),
    )
    record.done = normalizeRanges([...record.done, ...job.ranges])
    await persist()
    emit('running')
  }

  // A small pool: at most one batch per source, `perTarget` per target, `concurrency` overall.
  const sourceBusy = new Map<string, number>()
  const targetBusy = new Map<string, number>()
  const running = new Set<Promise<void>>()
  let failure: Error | undefined
  const canStart = (j: Job) => (sourceBusy.get(j.source.id) ?? 0) < 1 && (targetBusy.get(j.target.id) ?? 0) < perTarget
  const start = (j: Job) => {
    sourceBusy.set(j.source.id, (sourceBusy.get(j.source.id) ?? 0) + 1)
    targetBusy.set(j.target.id, (targetBusy.get(j.target.id) ?? 0) + 1)
    inFlight.set(j, Date.now())
    const p: Promise<void> = runJob(j)
      .catch((err: unknown) => {
        failure ??= err instanceof Error ? err : new Error(String(err))
      })
      .finally(() => {
        sourceBusy.set(j.source.id, (sourceBusy.get(j.source.id) ?? 1) - 1)
        targetBusy.set(j.target.id, (targetBusy.get(j.target.id) ?? 1) - 1)
        inFlight.delete(j)
        running.delete(p)
      })
    running.add(p)
  }
  while (queue.length || running.size) {
    if (!failure && !opts.signal?.aborted) {
      for (let i = 0; i < queue.length && running.size < concurrency;) {
        if (canStart(queue[i]!)) start(queue.splice(i, 1)[0]!)
        else i++
      }
    }
    if (running.size === 0) break
    await Promise.race(running)
  }
  await saving

  const durationMs = Date.now() - started
  const outcome: MigrationOutcome = {
    migrationId: record.migrationId,
    slotsMoved: countSlots(record.done) - doneAtStart,
    slotsTotal,
    keysMoved: keysThisRun,
    durationMs,
    keysPerSec: Math.round(keysThisRun / Math.max(0.001, durationMs / 1000)),
  }
  if (failure || opts.signal?.aborted) {
    record.state = failure ? 'interrupted' : 'cancelled'
    if (failure) record.lastError = errorText(failure)
    await persist()
    emit(failure ? 'failed' : 'cancelled', true, failure ? errorText(failure) : `cancelled after ${outcome.slotsMoved} slots`)
    if (failure) throw failure
    throw new SwitchyardError('other', `cancelled after ${countSlots(record.done)} of ${slotsTotal} slots; the migration can be resumed`)
  }
  record.state = 'done'
  await persist()
  emit('done', true, `${outcome.slotsMoved} slots, ${outcome.keysMoved} keys in ${(durationMs / 1000).toFixed(1)} s`)
  return outcome
}

function splitBy<T>(items: T[], size: number): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
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
