import { compareLsn, maxLsn } from '../../../shared/domain/pg-lsn'
import { formatBytes } from '../../../shared/domain/units'
import { mostAdvancedStandby, slotNameFor } from '../../../shared/domain/pg-topology'
import type { VerificationCheck } from '../../../shared/actions'
import type {
  PgAddReplicaRequest,
  PgFailoverRequest,
  PgNodeSnapshot,
  PgRejoinRequest,
  PgRemoveReplicaRequest,
  PgSwitchoverRequest,
  PgTopology,
} from '../../../shared/systems/postgres'
import type { Connections } from '../../core/connections'
import { SwitchyardError, toConnError } from '../../core/errors'
import { shellCommand, shq } from '../../core/ssh/quote'
import { conninfo, type NodeAddress, type PostgresEndpoint } from './pg-client'
import {
  becomePrimaryStatements,
  bin,
  checkpointStatement,
  cmd,
  createSlotStatement,
  dropInactiveSlotsStatement,
  emitMarkerStatement,
  followConfCommand,
  followStatements,
  isInRecovery,
  managed,
  parseControlData,
  promoteStatement,
  query,
  replicationCredentials,
  serverRunning,
  shellOp,
  passfileOps,
  type ReplicationCredentials,
  sqlOp,
  ssh,
  sshRun,
  waitReplayed,
  waitStreamingFrom,
  waitUntil,
  type ManagedNode,
  type Op,
  type OpContext,
} from './pg-ops'
import { readTopology } from './pg-reader'
import type { PgbouncerEndpoint } from './pgbouncer-client'
import { bouncersAt, cannotRepoint, pauseBouncerOp, repointBouncerOp, resumeAll, resumeBouncerOp, type Bouncer } from './pgbouncer-ops'

/**
 * The PostgreSQL procedures as lists of Ops, built from the topology as it is now. plan() shows
 * the Ops' commands; run() rebuilds the list from a fresh topology and refuses to start if the
 * commands differ, so what runs is exactly what was confirmed.
 */

export interface Check {
  name: string
  passed: boolean
  detail: string
}

export interface Procedure {
  target: string
  title: string
  summary: string
  risk: 'low' | 'medium' | 'high'
  prechecks: Check[]
  warnings: string[]
  ops: Op[]
  /** Said after a successful run: what the operator still has to do. */
  followUp?: string
  /** Called when op `failedAt` threw: undo what is safe to undo and say what was done. */
  recover?: (failedAt: number, ctx: OpContext) => Promise<string>
  /** The pgbouncers the ops pause and repoint: kept with the plan, so a resume acts on the same ones. */
  bouncers?: Bouncer[]
}

export interface Env {
  environment: string
  endpoint: PostgresEndpoint
  connections: Connections
  /** The environment's pgbouncers: those pointing at the old primary are paused and repointed. */
  bouncers: readonly PgbouncerEndpoint[]
  /** When a run is resumed or rolled back: the pgbouncers its plan found, instead of reading where they point now. */
  recordedBouncers?: Bouncer[]
}

/** The pgbouncers pointing at the primary being replaced, as pre-checks and the ops around the fence. */
async function pooling(env: Env, old: NodeAddress | undefined, checks: Check[], warnings: string[]): Promise<Bouncer[]> {
  if (env.recordedBouncers) return env.recordedBouncers
  if (!old || env.bouncers.length === 0) return []
  const { found, warnings: w } = await bouncersAt(env.bouncers, env.connections, [old])
  warnings.push(...w)
  for (const b of found) {
    if (b.paused)
      checks.push(
        fail(
          `${b.endpoint.name} is not paused`,
          `${b.paused.join(', ')} paused: another switchover may be under way (from another workstation or by hand); RESUME it once that is over`,
        ),
      )
    const why = cannotRepoint(b)
    checks.push(
      why
        ? fail(`${b.endpoint.name} can be repointed`, why)
        : pass(`${b.endpoint.name} can be repointed`, `${b.databases.join(', ')} via ${b.endpoint.configPath}`),
    )
  }
  return found
}

const pass = (name: string, detail: string): Check => ({ name, passed: true, detail })
const fail = (name: string, detail: string): Check => ({ name, passed: false, detail })

function listed(env: Env, name: string): ManagedNode | undefined {
  const n = env.endpoint.nodes.find((x) => x.name === name)
  return n ? managed(n) : undefined
}

function snap(topo: PgTopology, name: string): PgNodeSnapshot | undefined {
  return topo.nodes.find((n) => n.name === name)
}

/** SSH reachable and pg_ctl sees the data directory (running or not). */
async function sshCheck(env: Env, node: ManagedNode, expectRunning?: boolean): Promise<Check> {
  const name = `SSH and data directory on ${node.name}`
  if (!node.sshHostId || !node.dataDir) return fail(name, `${node.name} needs an SSH host and a data directory in the environment`)
  try {
    const r = await ssh(env, node, cmd.status(node), 15_000)
    if (r.code !== 0 && r.code !== 3) return fail(name, `pg_ctl status exited ${r.code}: ${(r.stderr || r.stdout).trim().slice(0, 200)}`)
    const running = r.code === 0
    if (expectRunning !== undefined && running !== expectRunning) return fail(name, `server is ${running ? 'running' : 'not running'}`)
    return pass(name, `${node.dataDir} ${running ? '(running)' : '(stopped)'}`)
  } catch (err) {
    return fail(name, toConnError(err, env.connections.secretValues()).message)
  }
}

async function rewindCheck(env: Env, node: NodeAddress): Promise<Check> {
  const name = `pg_rewind possible on ${node.name}`
  try {
    const rows = await query<{ hints: string; sums: string }>(
      env,
      node,
      "SELECT current_setting('wal_log_hints') AS hints, current_setting('data_checksums') AS sums",
      3000,
    )
    const r = rows[0]
    if (r?.hints === 'on' || r?.sums === 'on') return pass(name, r.hints === 'on' ? 'wal_log_hints = on' : 'data checksums on')
    return fail(name, 'needs wal_log_hints = on or data checksums; without them the old primary cannot be rewound')
  } catch (err) {
    return fail(name, toConnError(err, env.connections.secretValues()).message)
  }
}

async function pgpassWarning(env: Env, node: ManagedNode): Promise<string | undefined> {
  try {
    const r = await ssh(env, node, 'test -r "${PGPASSFILE:-$HOME/.pgpass}"', 10_000)
    if (r.code !== 0)
      return `${node.name}'s SSH user has no readable ~/.pgpass: pg_rewind/pg_basebackup and the restarted standby will not be able to authenticate unless pg_hba trusts them`
  } catch {
    return undefined
  }
  return undefined
}

/** A standby's own synchronous_standby_names takes effect when it is promoted; commits hang if nobody matches. */
async function syncWarning(env: Env, node: NodeAddress): Promise<string | undefined> {
  try {
    const rows = await query<{ s: string }>(env, node, "SELECT current_setting('synchronous_standby_names') AS s", 3000)
    const value = rows[0]?.s ?? ''
    return value.trim()
      ? `${node.name} has synchronous_standby_names = '${value}': after the promotion commits wait for a standby matching it; make sure one will (or clear it)`
      : undefined
  } catch {
    return undefined
  }
}

// ---- shared step sequences ------------------------------------------------------------------------

function confBackup(node: ManagedNode): string {
  return `mkdir -p ${shq(cmd.confBackupDir(node))} && cp -p ${shq(node.dataDir!)}/*.conf ${shq(cmd.confBackupDir(node))}/ && rm -f ${shq(`${node.dataDir}/standby.signal`)}`
}
function confRestore(node: ManagedNode): string {
  const b = cmd.confBackupDir(node)
  return `cp -p ${shq(b)}/*.conf ${shq(node.dataDir!)}/ && rm -rf ${shq(b)} && rm -f ${shq(`${node.dataDir}/switchyard-needs-rewind`)} && touch ${shq(`${node.dataDir}/standby.signal`)}`
}

/**
 * Rewind a stopped node onto upstream's timeline and start it as upstream's standby. pg_rewind
 * copies the source's configuration files, so the node's own are saved first and put back.
 */
function rejoinOps(env: Env, node: ManagedNode, upstream: ManagedNode, others: string[]): Op[] {
  const creds = replicationCredentials(env.endpoint, env.connections)
  const source = conninfo({ host: upstream.host, port: upstream.port, user: env.endpoint.user, dbname: env.endpoint.database })
  const startCmd = cmd.start(node)
  return [
    {
      // pg_rewind reads the source's timeline from its control file, which a promotion only updates at the next checkpoint.
      ...sqlOp(`Checkpoint ${upstream.name} so pg_rewind sees its current timeline`, upstream, [checkpointStatement()], undefined, 600_000),
      ifFailed: `${node.name} is stopped and unchanged; ${upstream.name} is the primary. Run CHECKPOINT on ${upstream.name}, then "switchyard pg rejoin ${env.environment} ${node.name}".`,
    },
    {
      ...shellOp(`Save ${node.name}'s configuration files outside the data directory`, node, confBackup(node), 30_000),
      // Saved once: after pg_rewind the files in the data directory are the source's, never to be saved over the node's own.
      done: async (ctx) => (await ssh(ctx, node, `test -d ${shq(cmd.confBackupDir(node))}`, 10_000)).code === 0,
      ifFailed: `${node.name} is stopped and unchanged; ${upstream.name} is the primary. Fix the SSH/file problem and run "switchyard pg rejoin ${env.environment} ${node.name}".`,
    },
    {
      ...shellOp(
        `Rewind ${node.name} onto ${upstream.name}'s timeline with pg_rewind`,
        node,
        shellCommand(bin(node, 'pg_rewind'), '-D', node.dataDir!, '--source-server', source),
        600_000,
        async (out) => {
          return /no rewind required/.test(out) ? 'no rewind required' : 'rewound'
        },
      ),
      ifFailed: `${node.name} is stopped; its configuration files are saved in ${cmd.confBackupDir(node)}; ${upstream.name} is the primary and serves writes. Read the pg_rewind output above; after fixing it run "switchyard pg rejoin ${env.environment} ${node.name}". If pg_rewind cannot work (e.g. WAL already removed), re-clone ${node.name}: "switchyard pg remove-replica" then "add-replica".`,
    },
    // before it starts: its walreceiver authenticates from ~/.pgpass
    ...passfileOps(node, creds),
    {
      ...shellOp(
        `Restore ${node.name}'s configuration and make it a standby of ${upstream.name}`,
        node,
        `${confRestore(node)} && ${followConfCommand(node, upstream, creds)}`,
        30_000,
      ),
      done: async (ctx) =>
        (await ssh(ctx, node, `test ! -d ${shq(cmd.confBackupDir(node))} && test -f ${shq(`${node.dataDir}/standby.signal`)}`, 10_000)).code === 0,
      ifFailed: `${node.name} is stopped and rewound; its configuration may be missing: copy ${cmd.confBackupDir(node)}/*.conf back into ${node.dataDir}, create standby.signal, then start it.`,
    },
    {
      ...shellOp(`Start ${node.name} as a standby`, node, startCmd, 120_000),
      done: (ctx) => serverRunning(ctx, node),
      ifFailed: `${node.name} is rewound and configured as a standby of ${upstream.name} but did not start: read ${cmd.start(node).includes('-l') ? `the log ${node.dataDir}.log` : 'its log'}, then start it with: ${startCmd}`,
    },
    {
      ...sqlOp(
        `Point ${node.name} at ${upstream.name} by name and drop slots it kept from its primary days`,
        node,
        [...followStatements(node, upstream, creds), dropInactiveSlotsStatement(others.map(slotNameFor))],
        async (_r, ctx) => {
          ctx.progress(`waiting for ${node.name} to stream from ${upstream.name}`)
          await waitStreamingFrom(ctx, node, upstream)
        },
      ),
      ifFailed: `${node.name} runs as a standby but is not streaming from ${upstream.name}: check pg_stat_wal_receiver on it and its log; the primary ${upstream.name} is unaffected.`,
    },
  ]
}

/** A standby follows a new upstream: ALTER SYSTEM + reload, then wait until it streams. */
function repointOps(env: Env, standby: ManagedNode, upstream: ManagedNode): Op[] {
  const creds = replicationCredentials(env.endpoint, env.connections)
  return [...passfileOps(standby, creds), repointOp(standby, upstream, creds)]
}

function repointOp(standby: ManagedNode, upstream: ManagedNode, creds: ReplicationCredentials): Op {
  return {
    ...sqlOp(`Repoint ${standby.name} to ${upstream.name} and wait until it streams`, standby, followStatements(standby, upstream, creds), async (_r, ctx) => {
      await waitStreamingFrom(ctx, standby, upstream)
    }),
    ifFailed: `${upstream.name} is the primary and serves writes; ${standby.name} is not yet streaming from it. Check its log and pg_stat_wal_receiver; repoint it by running the same ALTER SYSTEM statements on it.`,
  }
}

function verifyWriteOp(primary: NodeAddress, standbys: NodeAddress[], label: string): Op {
  const stmt = emitMarkerStatement(label)
  return {
    ...sqlOp(`Write a marker on ${primary.name} and wait until every standby replayed it`, primary, [stmt], async (results, ctx) => {
      const lsn = (results[0]?.rows[0] as { lsn?: string } | undefined)?.lsn ?? ''
      await waitReplayed(ctx, standbys, lsn, 20_000)
      return `marker at ${lsn} replayed by ${standbys.map((s) => s.name).join(', ') || 'no standby'}`
    }),
    commands: [`[${primary.name}] ${stmt.shown}`, ...standbys.map((s) => `[${s.name}] SELECT pg_last_wal_replay_lsn()  -- until ≥ the marker`)],
    ifFailed: `${primary.name} is the primary; a standby did not replay a fresh write in time: look at the topology view for the lagging standby.`,
  }
}

// ---- switchover -------------------------------------------------------------------------------------

export interface SwitchoverTuning {
  /** How long the target may take to replay the old primary's final checkpoint. */
  replayWaitMs?: number
}

export async function switchoverProcedure(env: Env, req: PgSwitchoverRequest, topo: PgTopology, tuning: SwitchoverTuning = {}): Promise<Procedure> {
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
      ...bouncers.map(pauseBouncerOp),
      {
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
        ...shellOp(`Read ${old.name}'s final WAL position (pg_controldata)`, old, cmd.controldata(old), 30_000, async (out, ctx) => {
          const cd = parseControlData(out)
          if (cd.state !== 'shut down') throw new SwitchyardError('other', `${old.name} is "${cd.state}", not cleanly shut down`)
          ctx.facts.finalLsn = cd.checkpointLsn
          return `final checkpoint at ${cd.checkpointLsn}`
        }),
      },
      {
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
      ...bouncers.map((b) => repointBouncerOp(b, target)),
      ...bouncers.map(resumeBouncerOp),
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

// ---- failover ---------------------------------------------------------------------------------------

export async function failoverProcedure(env: Env, req: PgFailoverRequest, topo: PgTopology): Promise<Procedure> {
  const checks: Check[] = []
  const warnings: string[] = []
  const primaries = topo.nodes.filter((n) => n.role === 'primary')
  checks.push(
    primaries.length === 0
      ? pass('no primary reachable', 'every reachable node is a standby')
      : fail('no primary reachable', `${primaries.map((p) => p.name).join(', ')} accepts writes: use switchover instead`),
  )
  const down = topo.nodes.filter((n) => n.role === 'down' && n.listed)
  // The failed primary: a down node that the standbys last streamed from, else the only down node.
  const upstreams = new Set(topo.nodes.filter((n) => n.role === 'standby').map((n) => n.walReceiver?.senderPort))
  const failed = down.find((d) => upstreams.has(d.port)) ?? (down.length === 1 ? down[0] : undefined)
  const oldNode = failed ? listed(env, failed.name) : undefined
  const standbys = topo.nodes.filter((n) => n.role === 'standby' && n.listed)
  const best = mostAdvancedStandby(standbys.map((s) => ({ name: s.name, receiveLsn: s.receiveLsn ?? null, replayLsn: s.replayLsn ?? null })))
  const chosenName = req.newPrimary ?? best?.name
  const chosen = chosenName ? listed(env, chosenName) : undefined
  const chosenSnap = chosenName ? snap(topo, chosenName) : undefined
  if (!chosen || chosenSnap?.role !== 'standby')
    checks.push(fail('a standby to promote', chosenName ? `${chosenName} is not a reachable standby` : 'no reachable standby'))
  else if (best && best.name !== chosen.name) {
    const pos = (n?: PgNodeSnapshot) => maxLsn(n?.receiveLsn, n?.replayLsn) ?? '0/0'
    const behind = compareLsn(pos(chosenSnap), pos(snap(topo, best.name))) < 0
    checks.push(
      behind
        ? fail(
            `${chosen.name} is the most advanced standby`,
            `${best.name} has more WAL (${pos(snap(topo, best.name))} vs ${pos(chosenSnap)}); promoting ${chosen.name} would lose transactions`,
          )
        : pass(`${chosen.name} is the most advanced standby`, `at ${pos(chosenSnap)}`),
    )
  } else checks.push(pass(`${chosen.name} is the most advanced standby`, `received up to ${maxLsn(chosenSnap.receiveLsn, chosenSnap.replayLsn) ?? '?'}`))
  const sync = chosen ? await syncWarning(env, chosen) : undefined
  if (sync) warnings.push(sync)
  if (chosen && chosenSnap?.replayPaused)
    checks.push(fail(`replay running on ${chosen.name}`, `WAL replay is paused on ${chosen.name}: SELECT pg_wal_replay_resume() there first`))
  if (oldNode) {
    if (oldNode.sshHostId && oldNode.dataDir) {
      try {
        const running = await serverRunning(env, oldNode)
        checks.push(
          running
            ? fail(
                `${oldNode.name} is stopped`,
                `its postmaster is running but not answering: stop it first ("${cmd.stop(oldNode, 'immediate')}") so it cannot come back as a second primary`,
              )
            : pass(`${oldNode.name} is stopped`, 'pg_ctl status: no server running'),
        )
      } catch (err) {
        warnings.push(
          `cannot confirm over SSH that ${oldNode.name} is stopped (${toConnError(err).message}); make sure it is powered off or isolated before failing over`,
        )
      }
    } else warnings.push(`${oldNode.name} has no SSH host: make sure it is stopped before failing over, and do not restart it until it was rewound`)
  } else warnings.push(`cannot tell which node was the primary (down: ${down.map((d) => d.name).join(', ') || 'none'})`)

  // Standbys that lost their upstream with the primary move to the new one; a cascade below a live standby stays.
  const others = standbys
    .filter(
      (s) =>
        s.name !== chosenName &&
        (s.upstream === null ||
          s.upstream === undefined ||
          s.upstream === oldNode?.name ||
          !topo.nodes.some((u) => u.name === s.upstream && u.role !== 'down')),
    )
    .map((s) => listed(env, s.name)!)
    .filter(Boolean)
  for (const s of standbys)
    if (s.name !== chosenName && !others.some((o) => o.name === s.name)) warnings.push(`${s.name} streams from ${s.upstream}; it is left as it is`)
  const bouncers = await pooling(env, oldNode, checks, warnings)
  const ops: Op[] = []
  if (chosen) {
    ops.push(...bouncers.map(pauseBouncerOp))
    if (oldNode?.sshHostId && oldNode.dataDir) {
      const d = oldNode.dataDir
      ops.push({
        ...shellOp(
          `Fence ${oldNode.name}: confirm it is stopped and make it start only as a standby`,
          oldNode,
          `${cmd.status(oldNode)}; test $? -eq 3 && touch ${shq(`${d}/standby.signal`)} && printf '%s\\n' ${shq(`needs pg_rewind: failover promoted ${chosen.name}`)} > ${shq(`${d}/switchyard-needs-rewind`)}`,
          30_000,
        ),
        ifFailed: `Nothing was promoted. ${oldNode.name} may be running: stop it (${cmd.stop(oldNode, 'immediate')}) before failing over.`,
      })
    }
    ops.push(
      {
        title: `Wait until ${chosen.name} replayed all WAL it received`,
        commands: [`[${chosen.name}] SELECT pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn()  -- until replay ≥ receive`],
        async run(ctx) {
          await waitUntil(
            `${chosen.name} replaying what it received`,
            60_000,
            async () => {
              const r = await query<{ rcv: string | null; rep: string | null }>(
                ctx,
                chosen,
                'SELECT pg_last_wal_receive_lsn()::text AS rcv, pg_last_wal_replay_lsn()::text AS rep',
                3000,
              )
              const { rcv, rep } = r[0] ?? { rcv: null, rep: null }
              return rep && (!rcv || compareLsn(rep, rcv) >= 0) ? true : undefined
            },
            ctx.signal,
          )
        },
        ifFailed: `Nothing was promoted; ${oldNode?.name ?? 'the old primary'} stays fenced. Check why ${chosen.name} replays slowly (paused replay? conflicts?).`,
      },
      {
        ...sqlOp(
          `Promote ${chosen.name}`,
          chosen,
          [promoteStatement],
          async (results) => {
            if ((results[0]?.rows[0] as { promoted?: boolean } | undefined)?.promoted !== true)
              throw new SwitchyardError('other', `pg_promote() on ${chosen.name} did not finish within 60 s`)
          },
          75_000,
        ),
        ifFailed: `Check "SELECT pg_is_in_recovery()" on ${chosen.name}: false means it is the primary and the remaining steps (slots, repointing) can be done by hand or by planning a new failover.`,
      },
      {
        ...sqlOp(`Make ${chosen.name} a clean primary and create slots for its standbys`, chosen, [
          ...becomePrimaryStatements,
          ...others.map((n) => createSlotStatement(slotNameFor(n.name))),
        ]),
        ifFailed: `${chosen.name} is the new primary and accepts writes; the other standbys still point at ${oldNode?.name ?? 'the old primary'}. Create their slots on ${chosen.name} and repoint them.`,
      },
      ...bouncers.map((b) => repointBouncerOp(b, chosen)),
      ...bouncers.map(resumeBouncerOp),
      ...others.flatMap((o) => repointOps(env, o, chosen)),
      verifyWriteOp(chosen, others, `failover to ${chosen.name}`),
    )
  }
  return {
    target: chosenName ?? '?',
    title: `Fail over ${env.endpoint.name} to ${chosenName ?? '?'}`,
    summary: `The primary ${oldNode?.name ?? '?'} is down. Promote ${chosenName ?? '?'} (the most advanced standby), repoint ${others.map((o) => o.name).join(', ') || 'no other standby'} to it, and mark ${oldNode?.name ?? 'the old primary'} as needing pg_rewind before it may rejoin ("switchyard pg rejoin ${env.environment} ${oldNode?.name ?? '<node>'}").`,
    risk: 'high',
    prechecks: checks,
    warnings,
    ops,
    bouncers,
    recover: async (failedAt, ctx) => (bouncers.length ? resumeAll(ctx, bouncers) : ''),
    followUp: oldNode
      ? `${oldNode.name} is fenced (standby.signal) and NEEDS A REWIND before it may rejoin: switchyard pg rejoin ${env.environment} ${oldNode.name}`
      : undefined,
  }
}

// ---- rejoin -----------------------------------------------------------------------------------------

export async function rejoinProcedure(env: Env, req: PgRejoinRequest, topo: PgTopology): Promise<Procedure> {
  const checks: Check[] = []
  const warnings: string[] = []
  const node = listed(env, req.node)
  const primary = topo.primary ? listed(env, topo.primary) : undefined
  checks.push(primary ? pass('a primary to follow', primary.name) : fail('a primary to follow', 'no primary is reachable'))
  if (!node) checks.push(fail(`${req.node} is a listed node`, `no node named ${req.node}`))
  if (node && primary && node.name === primary.name) checks.push(fail(`${node.name} is not the primary`, `${node.name} is the primary`))
  let running = false
  if (node) {
    const c = await sshCheck(env, node)
    checks.push(c)
    if (c.passed) running = c.detail.endsWith('(running)')
    const w = await pgpassWarning(env, node)
    if (w) warnings.push(w)
  }
  if (primary && node && primary.name !== node.name) checks.push(await rewindCheck(env, primary))
  const ops: Op[] = []
  if (node && primary && node.name !== primary.name) {
    if (running) {
      warnings.push(`${node.name} is running; it is stopped first (fast shutdown)`)
      ops.push({ ...shellOp(`Stop ${node.name}`, node, cmd.stop(node, 'fast'), 90_000), ifFailed: `Nothing changed; ${node.name} may still be running.` })
    }
    ops.push(
      {
        ...sqlOp(`Create slot ${slotNameFor(node.name)} on ${primary.name}`, primary, [createSlotStatement(slotNameFor(node.name))]),
        ifFailed: `Nothing changed; ${node.name} is stopped. Check that ${primary.name} accepts writes and has max_replication_slots free.`,
      },
      ...rejoinOps(
        env,
        node,
        primary,
        env.endpoint.nodes.filter((n) => n.name !== node.name).map((n) => n.name),
      ),
      verifyWriteOp(primary, [node], `rejoin ${node.name}`),
    )
  }
  return {
    target: req.node,
    title: `Rejoin ${req.node} as a standby of ${primary?.name ?? '?'}`,
    summary: `Rewind ${req.node} onto ${primary?.name ?? 'the primary'}'s timeline with pg_rewind (its own configuration files are kept), start it as a standby with slot ${slotNameFor(req.node)}, and verify it streams.`,
    risk: 'medium',
    prechecks: checks,
    warnings,
    ops,
  }
}

// ---- add / remove a replica --------------------------------------------------------------------------

export async function addReplicaProcedure(env: Env, req: PgAddReplicaRequest, topo: PgTopology): Promise<Procedure> {
  const checks: Check[] = []
  const warnings: string[] = []
  const node = managed(req.node)
  const upName = req.upstream ?? topo.primary
  const upstream = upName ? listed(env, upName) : undefined
  const slot = slotNameFor(node.name)
  checks.push(
    upstream && snap(topo, upstream.name)?.role !== 'down'
      ? pass('upstream reachable', `${upstream.name} (${snap(topo, upstream.name)?.role})`)
      : fail('upstream reachable', upName ? `${upName} is not reachable` : 'no primary'),
  )
  const clash = topo.nodes.find((n) => n.name === node.name || (n.port === node.port && n.host === node.host))
  checks.push(
    clash
      ? fail(`${node.name} is new`, `${clash.name} at ${clash.host}:${clash.port} already exists`)
      : pass(`${node.name} is new`, 'no node with that name or address'),
  )
  const slotHolder = topo.nodes.find((n) => n.slots.some((s) => s.name === slot))
  checks.push(slotHolder ? fail(`slot ${slot} is free`, `${slotHolder.name} already has a slot ${slot}`) : pass(`slot ${slot} is free`, 'not in use'))
  try {
    const r = await ssh(env, node, `test ! -e ${shq(node.dataDir!)} || test -z "$(ls -A ${shq(node.dataDir!)})"`, 15_000)
    checks.push(r.code === 0 ? pass(`${node.dataDir} is free`, 'absent or empty') : fail(`${node.dataDir} is free`, 'exists and is not empty'))
    const b = await ssh(env, node, `test -x ${shq(bin(node, 'pg_basebackup'))} || command -v ${shq(bin(node, 'pg_basebackup'))}`, 15_000)
    checks.push(
      b.code === 0
        ? pass('pg_basebackup available', bin(node, 'pg_basebackup'))
        : fail('pg_basebackup available', `${bin(node, 'pg_basebackup')} not found on the SSH host`),
    )
  } catch (err) {
    checks.push(fail(`SSH to ${node.sshHostId}`, toConnError(err, env.connections.secretValues()).message))
  }
  const w = await pgpassWarning(env, node).catch(() => undefined)
  if (w) warnings.push(w)
  warnings.push(`${node.name} is not added to the environment's node list; add it there to monitor it directly`)
  const creds = replicationCredentials(env.endpoint, env.connections)
  const ops: Op[] = []
  if (upstream) {
    const basebackup = shellCommand(
      bin(node, 'pg_basebackup'),
      '-h',
      upstream.host,
      '-p',
      upstream.port,
      '-U',
      creds.user,
      '-w',
      '-D',
      node.dataDir!,
      '-R',
      '-X',
      'stream',
      '-C',
      '-S',
      slot,
      '-c',
      'fast',
    )
    const auto = `${node.dataDir}/postgresql.auto.conf`
    ops.push(
      {
        ...shellOp(`Clone ${upstream.name} into ${node.dataDir} with pg_basebackup, creating slot ${slot}`, node, basebackup, 1_800_000),
        ifFailed: `The clone failed; slot ${slot} may exist on ${upstream.name} and retain WAL: drop it there (SELECT pg_drop_replication_slot('${slot}')) and remove ${node.dataDir} before trying again.`,
      },
      {
        ...shellOp(
          `Give ${node.name} its own port and name`,
          node,
          `printf '%s\\n' ${shq(`port = ${node.port}`)} ${shq(`cluster_name = '${node.name}'`)} >> ${shq(auto)}`,
          30_000,
        ),
        ifFailed: `${node.dataDir} holds a complete clone that is not started; slot ${slot} on ${upstream.name} retains WAL until it streams or is dropped.`,
      },
      {
        ...shellOp(`Start ${node.name}`, node, cmd.start(node), 120_000),
        ifFailed: `${node.name} did not start: read ${node.dataDir}.log; slot ${slot} on ${upstream.name} retains WAL until it streams or is dropped.`,
      },
      ...passfileOps(node, creds),
      {
        ...sqlOp(
          `Point ${node.name} at ${upstream.name} with its application name and wait until it streams`,
          node,
          followStatements(node, upstream, creds),
          async (_r, ctx) => {
            await waitStreamingFrom(ctx, node, upstream)
          },
        ),
        ifFailed: `${node.name} runs but does not stream from ${upstream.name}: check its log and pg_stat_wal_receiver.`,
      },
      verifyWriteOp(upstream, [node], `add replica ${node.name}`),
    )
  }
  return {
    target: node.name,
    title: `Add replica ${node.name} at ${node.host}:${node.port}`,
    summary: `Clone ${upName ?? 'the primary'} with pg_basebackup -R into ${node.dataDir} over SSH (${node.sshHostId}) with replication slot ${slot}, start it and verify it streams.`,
    risk: 'low',
    prechecks: checks,
    warnings,
    ops,
  }
}

export async function removeReplicaProcedure(env: Env, req: PgRemoveReplicaRequest, topo: PgTopology): Promise<Procedure> {
  const checks: Check[] = []
  const warnings: string[] = []
  const node = listed(env, req.node) ?? (req.location ? managed(req.location) : undefined)
  const slot = slotNameFor(req.node)
  if (!node) checks.push(fail(`where ${req.node} lives`, `${req.node} is not in the node list: give its location`))
  if (topo.primary === req.node) checks.push(fail(`${req.node} is not the primary`, `${req.node} is the primary; switch over first`))
  let running = false
  if (node) {
    const c = await sshCheck(env, node)
    checks.push(c)
    running = c.passed && c.detail.endsWith('(running)')
    if (req.deleteDataDir) {
      const other = env.endpoint.nodes.find((n) => n.name !== node.name && n.dataDir && n.dataDir.replace(/\/$/, '') === node.dataDir?.replace(/\/$/, ''))
      if (other) checks.push(fail('data directory belongs to this replica', `${other.name} uses ${node.dataDir}`))
      else {
        const r = await ssh(env, node, `test -f ${shq(`${node.dataDir}/PG_VERSION`)} && test -f ${shq(`${node.dataDir}/standby.signal`)}`, 15_000).catch(
          () => undefined,
        )
        checks.push(
          r?.code === 0
            ? pass('data directory is a standby', `${node.dataDir} has PG_VERSION and standby.signal`)
            : fail('data directory is a standby', `${node.dataDir} is not a standby's data directory; refusing to delete it`),
        )
      }
    }
  }
  const holders = topo.nodes.filter((n) => n.role !== 'down' && n.slots.some((s) => s.name === slot))
  if (holders.length === 0) warnings.push(`no reachable node has a slot ${slot}`)
  const ops: Op[] = []
  if (node) {
    if (running)
      ops.push({ ...shellOp(`Stop ${node.name}`, node, cmd.stop(node, 'fast'), 90_000), ifFailed: `Nothing changed; ${node.name} may still be running.` })
    for (const h of holders) {
      const hn = listed(env, h.name) ?? { name: h.name, host: h.host, port: h.port }
      ops.push({
        title: `Drop slot ${slot} on ${h.name}`,
        commands: [`[${h.name}] SELECT pg_drop_replication_slot('${slot}')  -- once the slot is inactive`],
        async run(ctx) {
          await waitUntil(
            `slot ${slot} on ${h.name} becoming inactive`,
            30_000,
            async () => {
              const r = await query<{ active: boolean }>(ctx, hn, `SELECT active FROM pg_replication_slots WHERE slot_name = '${slot}'`, 3000)
              return r.length === 0 || !r[0]!.active ? true : undefined
            },
            ctx.signal,
            200,
          )
          await query(ctx, hn, `SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '${slot}'`)
        },
        ifFailed: `${node.name} is stopped; slot ${slot} on ${h.name} still retains WAL: drop it with SELECT pg_drop_replication_slot('${slot}').`,
      })
    }
    if (req.deleteDataDir)
      ops.push({
        ...shellOp(`Delete ${node.name}'s data directory`, node, `rm -rf -- ${shq(node.dataDir!)}`, 600_000),
        ifFailed: `${node.name} is stopped and its slot dropped; delete ${node.dataDir} by hand.`,
      })
  }
  return {
    target: req.node,
    title: `Remove replica ${req.node}`,
    summary: `Stop ${req.node}, drop its replication slot ${slot}${holders.length ? ` on ${holders.map((h) => h.name).join(', ')}` : ''}${req.deleteDataDir ? ` and delete ${node?.dataDir}` : '; its data directory is kept'}.`,
    risk: req.deleteDataDir ? 'high' : 'medium',
    prechecks: checks,
    warnings,
    ops,
  }
}

// ---- verification -----------------------------------------------------------------------------------

/** The shape every procedure should leave: one primary, the named standbys streaming from it, their slots active, a fresh write replayed everywhere. */
export async function verifyShape(env: Env, primaryName: string, standbyNames: string[], extra: NodeAddress[] = []): Promise<VerificationCheck[]> {
  const topo = await readTopology(env.environment, env.endpoint, env.connections)
  const out: VerificationCheck[] = []
  const primaries = topo.nodes.filter((n) => n.role === 'primary').map((n) => n.name)
  out.push({
    name: `${primaryName} is the only primary`,
    passed: primaries.length === 1 && primaries[0] === primaryName,
    detail: primaries.length ? `primaries: ${primaries.join(', ')}` : 'no primary',
  })
  const p = snap(topo, primaryName)
  const addrs: NodeAddress[] = []
  for (const s of standbyNames) {
    const n = snap(topo, s)
    const x = extra.find((e) => e.name === s)
    // Streaming from the primary, or from a standby of this set (a cascade).
    const upstreamOk = n?.upstream === primaryName || (n?.upstream != null && standbyNames.includes(n.upstream))
    let streaming = n?.role === 'standby' && upstreamOk && n.walReceiver?.status === 'streaming'
    let detail = n ? `${n.role}, upstream ${n.upstream ?? 'none'}, receiver ${n.walReceiver?.status ?? 'none'}` : 'not found'
    if ((!n || !n.listed) && x) {
      // Not in the node list: ask it directly.
      try {
        const r = await query<{ status: string; sender_port: number }>(env, x, 'SELECT status, sender_port FROM pg_stat_wal_receiver', 3000)
        streaming = r[0]?.status === 'streaming' && r[0].sender_port === p?.port
        detail = r[0] ? `${r[0].status} from port ${r[0].sender_port}` : 'no WAL receiver'
      } catch (err) {
        detail = toConnError(err).message
      }
    }
    const via = n?.upstream && n.upstream !== primaryName && standbyNames.includes(n.upstream) ? n.upstream : primaryName
    out.push({ name: via === primaryName ? `${s} streams from ${primaryName}` : `${s} streams from ${via} (cascade)`, passed: streaming, detail })
    const holder = snap(topo, via)
    const slot = holder?.slots.find((x2) => x2.name === slotNameFor(s))
    // A standby configured without a slot is fine; a slot that exists must be in use.
    if (slot || n?.walReceiver?.slotName || x)
      out.push({
        name: `slot ${slotNameFor(s)} on ${via} is active`,
        passed: Boolean(slot?.active),
        detail: slot ? (slot.active ? 'active' : 'inactive') : 'missing',
      })
    const node = x ?? (n ? { name: n.name, host: n.host, port: n.port } : undefined)
    if (node) addrs.push(node)
  }
  if (p && p.role === 'primary') {
    try {
      const rows = await query<{ lsn: string }>(env, p, emitMarkerStatement('verify').text, 5000)
      const lsn = rows[0]!.lsn
      await waitReplayed({ ...env, signal: new AbortController().signal }, addrs, lsn, 15_000)
      out.push({
        name: `a write on ${primaryName} reaches every standby`,
        passed: true,
        detail: `marker ${lsn} replayed by ${addrs.map((a) => a.name).join(', ') || 'none'}`,
      })
    } catch (err) {
      out.push({ name: `a write on ${primaryName} reaches every standby`, passed: false, detail: toConnError(err).message })
    }
  }
  return out
}
