import { slotNameFor } from '../../../../shared/domain/pg-topology'
import type { PgAddReplicaRequest, PgRejoinRequest, PgRemoveReplicaRequest, PgTopology } from '../../../../shared/systems/postgres'
import { toConnError } from '../../../core/errors'
import { shellCommand, shq } from '../../../core/ssh/quote'
import {
  bin,
  cmd,
  createSlotStatement,
  followStatements,
  managed,
  query,
  replicationCredentials,
  shellOp,
  passfileOps,
  sqlOp,
  ssh,
  waitStreamingFrom,
  waitUntil,
  type Op,
} from '../postgres-ops'

import { type Check, type PgOperation, type Env, pass, fail, listed, snap, sshCheck, rewindCheck, pgpassWarning } from './operation'
import { rejoinOps, verifyWriteOp } from './steps'

// ---- rejoin -----------------------------------------------------------------------------------------

export async function rejoinOperation(env: Env, req: PgRejoinRequest, topo: PgTopology): Promise<PgOperation> {
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

export async function addReplicaOperation(env: Env, req: PgAddReplicaRequest, topo: PgTopology): Promise<PgOperation> {
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

export async function removeReplicaOperation(env: Env, req: PgRemoveReplicaRequest, topo: PgTopology): Promise<PgOperation> {
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
