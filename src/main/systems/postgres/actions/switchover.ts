import { compareLsn } from '../../../../shared/domain/pg-lsn'
import { formatBytes } from '../../../../shared/domain/units'
import { slotNameFor } from '../../../../shared/domain/pg-topology'
import type { PgSwitchoverRequest, PgTopology } from '../../../../shared/systems/postgres'
import { SwitchyardError, toConnError } from '../../../core/errors'
import {
  becomePrimaryStatements,
  checkpointStatement,
  cmd,
  createSlotStatement,
  isInRecovery,
  managed,
  parseControlData,
  promoteStatement,
  query,
  serverRunning,
  shellOp,
  sqlOp,
  sshRun,
  waitStreamingFrom,
  waitUntil,
  type Op,
  type OpContext,
} from '../postgres-ops'
import { pauseBouncerOp, repointBouncerOp, resumeAll, resumeBouncerOp } from '../pgbouncer-ops'

import { type Check, type PgOperation, type Env, pooling, pass, fail, listed, snap, sshCheck, rewindCheck, pgpassWarning, syncWarning } from './operation'
import { rejoinOps, repointOps, verifyWriteOp } from './steps'

/** Writes wait from the pooler's PAUSE (or fail from the fence) until the pooler resumes on the new primary (or it is promoted). */
const pausing =
  <A extends unknown[]>(op: (...a: A) => Op) =>
  (...a: A): Op => ({ ...op(...a), pausesWrites: true })

// ---- switchover -------------------------------------------------------------------------------------

export interface SwitchoverTuning {
  /** How long the target may take to replay the old primary's final checkpoint. */
  replayWaitMs?: number
}

export async function switchoverOperation(env: Env, req: PgSwitchoverRequest, topo: PgTopology, tuning: SwitchoverTuning = {}): Promise<PgOperation> {
  const checks: Check[] = []
  const warnings: string[] = []
  const oldName = topo.primary
  const old = oldName ? listed(env, oldName) : undefined
  const target = listed(env, req.newPrimary)
  const primaries = topo.nodes.filter((n) => n.role === 'primary')
  checks.push(
    primaries.length === 1 && old
      ? pass('exactly one primary', `${oldName} is the primary`)
      : fail(
          'exactly one primary',
          primaries.length === 0 ? 'no primary is reachable; use failover instead' : `${primaries.map((p) => p.name).join(', ')} all accept writes`,
        ),
  )
  if (!target) checks.push(fail(`${req.newPrimary} is a listed node`, `no node named ${req.newPrimary} in ${env.endpoint.name}`))
  const tSnap = snap(topo, req.newPrimary)
  const lag = topo.standbys.find((s) => s.standby === req.newPrimary)
  if (target && old) {
    checks.push(
      tSnap?.role === 'standby' && tSnap.upstream === oldName
        ? pass(`${target.name} streams from ${oldName}`, `WAL receiver ${tSnap.walReceiver?.status ?? '?'}`)
        : fail(
            `${target.name} streams from ${oldName}`,
            tSnap?.role === 'down'
              ? `${target.name} is down`
              : tSnap?.role === 'primary'
                ? `${target.name} is already a primary`
                : `${target.name} streams from ${tSnap?.upstream ?? 'nobody'}`,
          ),
    )
    checks.push(
      lag && lag.state === 'streaming' && lag.bytes !== null && lag.bytes <= topo.thresholds.bytes.warn
        ? pass(`${target.name} caught up`, `${formatBytes(lag.bytes)} behind (${lag.label})`)
        : fail(
            `${target.name} caught up`,
            lag
              ? `${lag.state}, ${lag.bytes === null ? 'lag unknown' : `${formatBytes(lag.bytes)} behind`} (limit ${formatBytes(topo.thresholds.bytes.warn)})`
              : 'no lag reading',
          ),
    )
    checks.push(
      tSnap?.replayPaused
        ? fail(`replay running on ${target.name}`, `WAL replay is paused on ${target.name}: SELECT pg_wal_replay_resume() there first`)
        : pass(`replay running on ${target.name}`, 'not paused'),
    )
    checks.push(await sshCheck(env, old, true), await sshCheck(env, target, true), await rewindCheck(env, old))
    const w = await pgpassWarning(env, old)
    if (w) warnings.push(w)
    const sync = await syncWarning(env, target)
    if (sync) warnings.push(sync)
    if (!env.connections.secret(env.endpoint.id, 'replication-password'))
      warnings.push('no replication password stored: standbys will authenticate through their ~/.pgpass')
  }
  const others = env.endpoint.nodes.filter((n) => n.name !== oldName && n.name !== req.newPrimary).map(managed)
  const upOthers = others.filter((o) => snap(topo, o.name)?.role === 'standby')
  // Only the old primary's direct standbys move; a cascade below another standby stays as it is.
  const direct = upOthers.filter((o) => snap(topo, o.name)?.upstream === oldName)
  for (const o of upOthers)
    if (!direct.includes(o)) warnings.push(`${o.name} streams from ${snap(topo, o.name)?.upstream ?? 'nobody'}, not from ${oldName}; it is left as it is`)
  for (const o of others)
    if (!upOthers.includes(o)) warnings.push(`${o.name} is down; it is not repointed and will need "switchyard pg rejoin ${env.environment} ${o.name}" later`)
  for (const s of topo.nodes)
    if (!s.listed) warnings.push(`${s.name} is not in the node list; it keeps streaming from ${s.upstream} and may need repointing by hand`)

  const bouncers = await pooling(env, old, checks, warnings)
  const ops: Op[] = []
  if (old && target) {
    const startOld = cmd.start(old)
    ops.push(
      {
        ...sqlOp(`Checkpoint ${old.name} so its shutdown checkpoint is short`, old, [checkpointStatement()], undefined, 600_000),
        ifFailed: `Nothing changed: ${old.name} is still the primary.`,
      },
      ...bouncers.map(pausing(pauseBouncerOp)),
      {
        pausesWrites: true,
        ...shellOp(`Fence ${old.name}: fast shutdown`, old, cmd.stop(old, 'fast'), 90_000),
        done: async (ctx) => !(await serverRunning(ctx, old)),
        undo: { title: `Start ${old.name} again as the primary`, commands: [`[${old.name} via ssh] ${startOld}`] },
        async revert(ctx) {
          if (await serverRunning(ctx, old)) return `${old.name} is running`
          await sshRun(ctx, old, startOld, 120_000)
          if (await isInRecovery(ctx, old)) return `${old.name} started but is in recovery: investigate before writing`
          // Its standbys reconnect on their own (wal_retrieve_retry_interval); the undo is done once they stream again.
          for (const s of [target, ...direct.filter((o) => o.name !== target.name)]) {
            ctx.progress(`waiting for ${s.name} to stream from ${old.name} again`)
            await waitStreamingFrom(ctx, s, old)
          }
          return `${old.name} accepts writes again and its standbys stream from it`
        },
        ifFailed: `${old.name} may be stopping; writes are failing. Check with "${cmd.status(old)}"; if it stopped, start it again with "${startOld}" to stay on ${old.name}.`,
      },
      {
        pausesWrites: true,
        ...shellOp(`Read ${old.name}'s final WAL position (pg_controldata)`, old, cmd.controldata(old), 30_000, async (out, ctx) => {
          const cd = parseControlData(out)
          if (cd.state !== 'shut down') throw new SwitchyardError('other', `${old.name} is "${cd.state}", not cleanly shut down`)
          ctx.facts.finalLsn = cd.checkpointLsn
          return `final checkpoint at ${cd.checkpointLsn}`
        }),
      },
      {
        pausesWrites: true,
        title: `Wait until ${target.name} replayed past ${old.name}'s final checkpoint`,
        commands: [`[${target.name}] SELECT pg_last_wal_replay_lsn()  -- until > the final checkpoint location`],
        async run(ctx) {
          const final = ctx.facts.finalLsn
          if (!final) throw new SwitchyardError('other', `the old primary's final checkpoint location was not read`)
          await waitUntil(
            `${target.name} replaying past ${final}`,
            tuning.replayWaitMs ?? 30_000,
            async () => {
              const r = await query<{ replay: string | null }>(ctx, target, 'SELECT pg_last_wal_replay_lsn()::text AS replay', 3000)
              return r[0]?.replay && compareLsn(r[0].replay, final) > 0 ? r[0].replay : undefined
            },
            ctx.signal,
            50,
          )
        },
      },
      {
        pausesWrites: true,
        ...sqlOp(
          `Promote ${target.name}`,
          target,
          [promoteStatement],
          async (results) => {
            if ((results[0]?.rows[0] as { promoted?: boolean } | undefined)?.promoted !== true)
              throw new SwitchyardError('other', `pg_promote() on ${target.name} did not finish within 60 s`)
          },
          75_000,
        ),
        done: async (ctx) => !(await isInRecovery(ctx, target)),
        irreversible: true,
        ifFailed: `${old.name} is stopped (fenced) and ${target.name} may not be promoted: check "SELECT pg_is_in_recovery()" on ${target.name}. If it returns false, ${target.name} is the primary: repoint the others and rejoin ${old.name} with "switchyard pg rejoin". If true, start ${old.name} again with "${startOld}" to go back.`,
      },
      {
        ...sqlOp(`Make ${target.name} a clean primary and create slots for its standbys`, target, [
          ...becomePrimaryStatements,
          ...[old, ...direct].map((n) => createSlotStatement(slotNameFor(n.name))),
        ]),
        ifFailed: `${target.name} is the new primary and accepts writes; ${old.name} is stopped; the other standbys still point at ${old.name}. Create the missing slots on ${target.name}, then repoint them.`,
      },
      ...bouncers.map((b) => pausing(repointBouncerOp)(b, target)),
      ...bouncers.map(pausing(resumeBouncerOp)),
      ...direct.filter((o) => o.name !== target.name).flatMap((o) => repointOps(env, o, target)),
      ...rejoinOps(env, old, target, [target.name, ...others.map((o) => o.name)]),
      verifyWriteOp(target, [...upOthers, old], `switchover ${old.name} -> ${target.name}`),
    )
  }
  const promoteIndex = ops.findIndex((o) => o.title.startsWith('Promote'))
  async function rollBack(failedAt: number, ctx: OpContext): Promise<string> {
    if (!old || failedAt >= promoteIndex || failedAt < 1) return ''
    // Not promoted yet: the safe way back is the old primary.
    try {
      if (await serverRunning(ctx, old)) return `${old.name} is still running.`
      await sshRun(ctx, old, cmd.start(old), 120_000)
      const rec = await isInRecovery(ctx, old)
      return rec
        ? `${old.name} restarted but is in recovery: investigate before writing.`
        : `Rolled back: ${old.name} restarted as the primary; ${target?.name} is still its standby. Nothing else changed.`
    } catch (err) {
      return `Rollback failed: ${old.name} is STOPPED and there is no primary. Start it with "${cmd.start(old)}". (${toConnError(err).message})`
    }
  }
  return {
    target: req.newPrimary,
    title: `Switch over ${env.endpoint.name}: ${oldName ?? '?'} → ${req.newPrimary}`,
    summary: `Fence ${oldName ?? 'the primary'} with a fast shutdown, promote ${req.newPrimary} once it replayed every byte, repoint ${direct.map((o) => o.name).join(', ') || 'no other standby'} to it and rewind ${oldName ?? 'the old primary'} back in as its standby. ${
      bouncers.length
        ? `Clients through ${bouncers.map((b) => b.endpoint.name).join(', ')} wait (PAUSE) from before the fence until ${req.newPrimary} accepts writes, then continue there.`
        : 'Writes fail from the fence until the promotion (usually about a second).'
    }`,
    risk: 'high',
    prechecks: checks,
    warnings,
    ops,
    bouncers,
    async recover(failedAt, ctx) {
      const rolledBack = await rollBack(failedAt, ctx)
      // Whatever happened, clients paused in pgbouncer must not wait forever.
      const resumed = failedAt >= 1 && bouncers.length ? await resumeAll(ctx, bouncers) : ''
      return [rolledBack, resumed].filter(Boolean).join(' ')
    },
  }
}
