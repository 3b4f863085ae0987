import type { ClusterNodeEntry, MigrationProgress, MigrationRecord } from '../../../shared/systems/redis'
import { parseClusterNodes } from '../../../shared/domain/redis-parse'
import { countSlots, expandRanges, formatRanges, normalizeRanges, type SlotRange } from '../../../shared/domain/slots'
import { SwitchyardError } from '../../core/errors'
import { sleep } from '../../core/wait'
import type { RedisArg, RedisClusterAccess } from './redis-client'
import type { Job, MigrationOptions, MigrationOutcome } from './slot-migration'

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}

/** Throw the first error of a pipeline, naming the command. */
export function expectOk(results: [Error | null, unknown][], what: (i: number) => string): void {
  results.forEach(([err], i) => {
    if (err) throw new SwitchyardError('other', `${what(i)}: ${errorText(err)}`)
  })
}

export function splitBy<T>(items: T[], size: number): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}

/** Keys of one slot found in one GETKEYSINSLOT round, and whether MIGRATE may overwrite them on the target. */
interface KeyGroup {
  keys: Buffer[]
  replace: boolean
}

/**
 * One run of a slot migration, phase by phase: each batch opens its slots (IMPORTING, MIGRATING),
 * drains their keys (GETKEYSINSLOT → MIGRATE, until COUNTKEYSINSLOT is 0), closes them (SETSLOT
 * NODE on the target, then the source) and tells the other masters; a small pool runs batches side
 * by side; the record is persisted after every batch and progress reported as it goes.
 */
export class MigrationRun {
  private readonly access: RedisClusterAccess
  private readonly record: MigrationRecord
  private readonly batchKeys: number
  private readonly baseTimeout: number
  private readonly masters: ClusterNodeEntry[]
  private readonly started = Date.now()
  private readonly slotsTotal: number
  private readonly doneAtStart: number
  private readonly inFlight = new Map<Job, number>()
  private keysThisRun = 0
  private lastEmit = 0
  private saving: Promise<void> = Promise.resolve()

  constructor(
    private readonly opts: MigrationOptions,
    alreadyDone: SlotRange[],
  ) {
    this.access = opts.access
    this.record = opts.record
    this.batchKeys = opts.batchKeys ?? 1000
    this.baseTimeout = opts.migrateTimeoutMs ?? 10_000
    this.masters = opts.nodes.filter((n) => n.role === 'master' && !n.flags.some((f) => f === 'fail' || f === 'handshake' || f === 'noaddr'))
    this.slotsTotal = this.record.moves.reduce((n, m) => n + countSlots(m.ranges), 0)
    this.record.done = normalizeRanges([...this.record.done, ...alreadyDone])
    this.record.state = 'running'
    this.doneAtStart = countSlots(this.record.done)
  }

  private log(message: string): void {
    this.opts.log?.(message)
  }

  // ---- progress and persistence ---------------------------------------------------------------

  private emit(state: MigrationProgress['state'], force = false, message?: string): void {
    const now = Date.now()
    if (!force && now - this.lastEmit < 250) return
    this.lastEmit = now
    const slotsDone = countSlots(this.record.done)
    const secs = Math.max(0.001, (now - this.started) / 1000)
    const rate = (slotsDone - this.doneAtStart) / secs
    this.opts.onProgress?.({
      migrationId: this.record.migrationId,
      environment: this.record.environment,
      endpointId: this.record.endpointId,
      state,
      slotsDone,
      slotsTotal: this.slotsTotal,
      keysMoved: this.record.keysMoved,
      keysPerSec: Math.round(this.keysThisRun / secs),
      etaSeconds: state === 'running' && rate > 0 ? Math.round((this.slotsTotal - slotsDone) / rate) : null,
      inFlight: [...this.inFlight.keys()].map((j) => ({ source: j.source.addr, target: j.target.addr, slots: countSlots(j.ranges) })),
      ...(message ? { message } : {}),
      at: now,
    })
  }

  private persist(): Promise<void> {
    const store = this.opts.store
    if (!store) return Promise.resolve()
    const snapshot = { ...this.record, done: [...this.record.done] }
    this.saving = this.saving.then(() => store.save(snapshot)).catch((err: unknown) => this.log(`could not persist migration progress: ${errorText(err)}`))
    return this.saving
  }

  // ---- the run ------------------------------------------------------------------------------

  async execute(queue: Job[]): Promise<MigrationOutcome> {
    await this.persist()
    this.emit('running', true)
    const failure = await this.runPool(queue)
    await this.saving
    return this.finish(failure)
  }

  /** At most one batch per source, `perTarget` per target, `concurrency` overall; the first failure stops new batches. */
  private async runPool(queue: Job[]): Promise<Error | undefined> {
    const concurrency = Math.max(1, this.opts.concurrency ?? 3)
    const perTarget = Math.max(1, this.opts.perTarget ?? concurrency)
    const sourceBusy = new Map<string, number>()
    const targetBusy = new Map<string, number>()
    const running = new Set<Promise<void>>()
    let failure: Error | undefined
    const canStart = (j: Job) => (sourceBusy.get(j.source.id) ?? 0) < 1 && (targetBusy.get(j.target.id) ?? 0) < perTarget
    const start = (j: Job) => {
      sourceBusy.set(j.source.id, (sourceBusy.get(j.source.id) ?? 0) + 1)
      targetBusy.set(j.target.id, (targetBusy.get(j.target.id) ?? 0) + 1)
      this.inFlight.set(j, Date.now())
      const p: Promise<void> = this.runJob(j)
        .catch((err: unknown) => {
          failure ??= err instanceof Error ? err : new Error(String(err))
        })
        .finally(() => {
          sourceBusy.set(j.source.id, (sourceBusy.get(j.source.id) ?? 1) - 1)
          targetBusy.set(j.target.id, (targetBusy.get(j.target.id) ?? 1) - 1)
          this.inFlight.delete(j)
          running.delete(p)
        })
      running.add(p)
    }
    while (queue.length || running.size) {
      if (!failure && !this.opts.signal?.aborted) {
        for (let i = 0; i < queue.length && running.size < concurrency;) {
          if (canStart(queue[i]!)) start(queue.splice(i, 1)[0]!)
          else i++
        }
      }
      if (running.size === 0) break
      await Promise.race(running)
    }
    return failure
  }

  /** The outcome, with the record's final state: done, or interrupted/cancelled (and thrown) to be resumed. */
  private async finish(failure: Error | undefined): Promise<MigrationOutcome> {
    const record = this.record
    const durationMs = Date.now() - this.started
    const outcome: MigrationOutcome = {
      migrationId: record.migrationId,
      slotsMoved: countSlots(record.done) - this.doneAtStart,
      slotsTotal: this.slotsTotal,
      keysMoved: this.keysThisRun,
      durationMs,
      keysPerSec: Math.round(this.keysThisRun / Math.max(0.001, durationMs / 1000)),
    }
    if (failure || this.opts.signal?.aborted) {
      record.state = failure ? 'interrupted' : 'cancelled'
      if (failure) record.lastError = errorText(failure)
      await this.persist()
      this.emit(failure ? 'failed' : 'cancelled', true, failure ? errorText(failure) : `cancelled after ${outcome.slotsMoved} slots`)
      if (failure) throw failure
      throw new SwitchyardError('other', `cancelled after ${countSlots(record.done)} of ${this.slotsTotal} slots; the migration can be resumed`)
    }
    record.state = 'done'
    await this.persist()
    this.emit('done', true, `${outcome.slotsMoved} slots, ${outcome.keysMoved} keys in ${(durationMs / 1000).toFixed(1)} s`)
    return outcome
  }

  // ---- one batch ----------------------------------------------------------------------------

  private async runJob(job: Job): Promise<void> {
    const slots = expandRanges(job.ranges)
    await this.openSlots(job, slots)
    await this.drainSlots(job, slots)
    await this.closeSlots(job, slots)
    await this.tellOtherMasters(job, slots)
    this.record.done = normalizeRanges([...this.record.done, ...job.ranges])
    await this.persist()
    this.emit('running')
  }

  /** IMPORTING on the target first, then MIGRATING on the source, pipelined over the batch. */
  private async openSlots({ source, target }: Job, slots: number[]): Promise<void> {
    expectOk(
      await this.access.pipeline(
        target.addr,
        slots.map((s) => ['CLUSTER', 'SETSLOT', s, 'IMPORTING', source.id]),
      ),
      (i) => `${target.addr}: CLUSTER SETSLOT ${slots[i]} IMPORTING`,
    )
    expectOk(
      await this.access.pipeline(
        source.addr,
        slots.map((s) => ['CLUSTER', 'SETSLOT', s, 'MIGRATING', target.id]),
      ),
      (i) => `${source.addr}: CLUSTER SETSLOT ${slots[i]} MIGRATING`,
    )
  }

  /** Move keys until every slot of the batch is empty on the source, counted, never assumed. */
  private async drainSlots(job: Job, slots: number[]): Promise<void> {
    const { source } = job
    let pending = slots
    let rounds = 0
    while (pending.length) {
      if (++rounds > 100_000) throw new SwitchyardError('other', `slots ${formatRanges(job.ranges)} keep receiving keys; giving up`)
      const res = await this.access.pipeline(
        source.addr,
        pending.map((s) => ['CLUSTER', 'GETKEYSINSLOT', s, this.batchKeys]),
        30_000,
        true,
      )
      // MIGRATE is single-slot in cluster mode (CROSSSLOT otherwise): one command per slot, all pipelined.
      const groups: KeyGroup[] = []
      const full: number[] = []
      res.forEach(([err, reply], i) => {
        if (err) throw new SwitchyardError('other', `${source.addr}: CLUSTER GETKEYSINSLOT ${pending[i]}: ${errorText(err)}`)
        const keys = reply as Buffer[]
        if (keys.length >= this.batchKeys) full.push(pending[i]!)
        if (keys.length) groups.push({ keys, replace: this.opts.resumeSlots?.has(pending[i]!) ?? false })
      })
      if (groups.length) {
        const moved = await this.migrateKeys(job, groups)
        this.record.keysMoved += moved
        this.keysThisRun += moved
        this.emit('running')
      }
      pending = full
      if (pending.length === 0) {
        // Never finalise a slot that still holds keys (a write that raced the last GETKEYSINSLOT).
        const counts = await this.access.pipeline(
          source.addr,
          slots.map((s) => ['CLUSTER', 'COUNTKEYSINSLOT', s]),
        )
        pending = slots.filter((_, i) => !counts[i]?.[0] && Number(counts[i]?.[1]) > 0)
        counts.forEach(([err], i) => {
          if (err) throw new SwitchyardError('other', `${source.addr}: CLUSTER COUNTKEYSINSLOT ${slots[i]}: ${errorText(err)}`)
        })
      }
    }
  }

  private migrateArgs(target: ClusterNodeEntry, keys: Buffer[], replace: boolean, timeoutMs: number): RedisArg[] {
    const args: RedisArg[] = ['MIGRATE', target.host, target.port, '', 0, timeoutMs]
    if (replace) args.push('REPLACE')
    if (this.access.password) {
      if (this.access.username) args.push('AUTH2', this.access.username, this.access.password)
      else args.push('AUTH', this.access.password)
    }
    args.push('KEYS', ...keys)
    return args
  }

  /** MIGRATE the keys in batches (pipelined on the source); retries with smaller batches and REPLACE after an I/O error. */
  private async migrateKeys(job: Job, groups: KeyGroup[]): Promise<number> {
    let moved = 0
    let size = this.batchKeys
    let timeoutMs = this.baseTimeout
    let work = groups.flatMap((g) => splitBy(g.keys, size).map((keys) => ({ keys, replace: g.replace, attempt: 0 })))
    while (work.length) {
      const res = await this.access.pipeline(
        job.source.addr,
        work.map((w) => this.migrateArgs(job.target, w.keys, w.replace, timeoutMs)),
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
        this.log(`retrying ${retry.length} MIGRATE batch(es) ${job.source.addr} → ${job.target.addr} (attempt ${attempt}, timeout ${timeoutMs} ms)`)
        await sleep(100 * attempt)
      }
      work = retry
    }
    return moved
  }

  /** SETSLOT NODE on the target, then the source (which may already know the new owner from the bus). */
  private async closeSlots({ source, target }: Job, slots: number[]): Promise<void> {
    expectOk(
      await this.access.pipeline(
        target.addr,
        slots.map((s) => ['CLUSTER', 'SETSLOT', s, 'NODE', target.id]),
      ),
      (i) => `${target.addr}: CLUSTER SETSLOT ${slots[i]} NODE`,
    )
    const fromSource = await this.access.pipeline(
      source.addr,
      slots.map((s) => ['CLUSTER', 'SETSLOT', s, 'NODE', target.id]),
    )
    const refused = slots.filter((_, i) => fromSource[i]?.[0])
    if (!refused.length) return
    // The source may already have learnt the new owner from the target over the cluster bus (and, having
    // lost its last slot, turned itself into a replica, which refuses SETSLOT): fine if it agrees.
    const seen = parseClusterNodes(String(await this.access.call(source.addr, ['CLUSTER', 'NODES'])))
    const owner = seen.find((n) => n.id === target.id)
    const agreed = new Set(owner ? expandRanges(owner.slots) : [])
    const bad = refused.filter((s) => !agreed.has(s))
    if (bad.length) {
      const i = slots.indexOf(bad[0]!)
      throw new SwitchyardError('other', `${source.addr}: CLUSTER SETSLOT ${bad[0]} NODE: ${errorText(fromSource[i]?.[0])}`)
    }
  }

  /** Every other master hears the new owner directly; one that does not will learn it from the cluster bus. */
  private async tellOtherMasters({ source, target }: Job, slots: number[]): Promise<void> {
    await Promise.all(
      this.masters
        .filter((m) => m.id !== source.id && m.id !== target.id)
        .map(async (m) => {
          try {
            const res = await this.access.pipeline(
              m.addr,
              slots.map((s) => ['CLUSTER', 'SETSLOT', s, 'NODE', target.id]),
            )
            const bad = res.find(([e]) => e)
            if (bad) this.log(`${m.addr}: SETSLOT NODE not applied (${errorText(bad[0])}); it will learn the owner from the cluster bus`)
          } catch (err) {
            this.log(`${m.addr}: SETSLOT NODE not sent (${errorText(err)}); it will learn the owner from the cluster bus`)
          }
        }),
    )
  }
}
