import { parseArgs } from 'node:util'
import type { ActionPlan, ActionResult } from '../../shared/actions'
import type { ActionRequest } from '../../shared/action-requests'
import { pluginExitCode } from '../../shared/domain/health'
import { formatBytes, formatSeconds } from '../../shared/domain/pg-lsn'
import { PgAddReplicaRequest, PgFailoverRequest, PgNodeLocation, PgRejoinRequest, PgRemoveReplicaRequest, PgSwitchoverRequest, type PgHealth, type PgTopology } from '../../shared/postgres'
import { ActionRunner } from '../actions/action-runner'
import { toConnError } from '../errors'
import type { ServiceHub } from '../service-hub'
import { pickEndpoint } from './pg-client'
import { postgresActions } from './postgres-actions'
import { PostgresService } from './postgres-service'

import type { CliIo } from '../cli-io'

export const PG_USAGE = `usage: switchyard pg <command> <env> [options]

  status <env> [--health] [--json]        replication topology, lag per standby and findings
                                          (exit 0 ok, 1 warning, 2 critical, 3 unknown)
  switchover <env> <new-primary>          planned switchover with zero data loss
  failover <env> [<new-primary>]          primary down: promote the most advanced standby
  rejoin <env> <node>                     pg_rewind a former primary back in as a standby
  add-replica <env> --name N --host H --port P --data-dir D --ssh-host ID [--bin-dir B] [--upstream U]
  remove-replica <env> <node> [--delete-data-dir] [--host H --port P --data-dir D --ssh-host ID]

  every command:  --endpoint ID   the PostgreSQL endpoint when the environment has several
  actions:        --dry-run       print the plan (exact commands and SQL) and change nothing
                  --confirm NAME  run after checking NAME is the plan's target (or --yes)
                  --json          machine-readable plan and result
  action exit codes: 0 succeeded, 1 failed or pre-checks failed, 2 usage or not confirmed
`

const MARK = { ok: 'OK', warn: 'WARNING', critical: 'CRITICAL', unknown: 'UNKNOWN' } as const

export function formatTopology(t: PgTopology): string {
  const lines = [`${MARK[t.status]} ${t.environment}/${t.endpointId}: ${t.reason}`]
  lines.push('  node      role      upstream  timeline  position')
  for (const n of t.nodes) {
    const pos = n.role === 'down' ? (n.error ? `[${n.error.code}] ${n.error.message}` : 'down') : (n.currentLsn ?? n.replayLsn ?? '-')
    lines.push(`  ${n.name.padEnd(9)} ${n.role.padEnd(9)} ${(n.upstream ?? '-').padEnd(9)} ${String(n.timeline ?? '-').padEnd(9)} ${pos}${n.listed ? '' : ' (not in node list)'}`)
  }
  if (t.standbys.length) {
    lines.push('  standby   state       sync    lag bytes    lag time   status')
    for (const s of t.standbys)
      lines.push(
        `  ${s.standby.padEnd(9)} ${s.state.padEnd(11)} ${(s.syncState ?? '-').padEnd(7)} ${(s.bytes === null ? '-' : formatBytes(s.bytes)).padEnd(12)} ${(s.seconds === null ? '-' : formatSeconds(s.seconds)).padEnd(10)} ${MARK[s.status]} ${s.label}`,
      )
  }
  for (const n of t.nodes)
    for (const sl of n.slots) lines.push(`  slot ${sl.name} on ${n.name}: ${sl.active ? 'active' : 'INACTIVE'}, retains ${formatBytes(sl.retainedBytes ?? 0)}${sl.walStatus ? `, wal ${sl.walStatus}` : ''}`)
  for (const f of t.findings) lines.push(`  ${MARK[f.status]}: ${f.reason}`)
  return lines.join('\n') + '\n'
}

export function formatHealth(h: PgHealth): string {
  const lines = [`${MARK[h.status]} health: ${h.reason}`]
  for (const n of h.nodes) {
    if (n.role === 'down') {
      lines.push(`  ${n.name}: down (${n.error?.message ?? ''})`)
      continue
    }
    const c = n.connections
    lines.push(`  ${n.name} (${n.role}): ${c ? `${c.total}/${c.max} connections, ${c.active} active, ${c.idleInTransaction} idle in transaction, ${c.waitingOnLocks} waiting on locks` : ''}`)
    lines.push(`    cache hit ${n.cacheHitRatio == null ? '-' : `${(n.cacheHitRatio * 100).toFixed(2)}%`}, xid age ${n.xidWraparound?.age ?? '-'} (${n.xidWraparound?.database ?? '-'}), checkpoints ${n.checkpoints ? `${n.checkpoints.timed} timed / ${n.checkpoints.requested} requested` : '-'}`)
    if (n.longestQuery) lines.push(`    longest query ${formatSeconds(n.longestQuery.seconds)} pid ${n.longestQuery.pid}: ${n.longestQuery.query.replace(/\s+/g, ' ').slice(0, 100)}`)
    if (n.longestTransaction) lines.push(`    longest transaction ${formatSeconds(n.longestTransaction.seconds)} pid ${n.longestTransaction.pid} (${n.longestTransaction.state})`)
    lines.push(`    databases: ${n.databases.map((d) => `${d.name} ${formatBytes(d.sizeBytes)}`).join(', ')}`)
    if (n.topStatements?.available) for (const s of n.topStatements.rows.slice(0, 5)) lines.push(`    ${s.totalMs.toFixed(1).padStart(10)} ms ${String(s.calls).padStart(7)} calls  ${s.query.replace(/\s+/g, ' ').slice(0, 80)}`)
    else if (n.topStatements?.hint) lines.push(`    top statements: ${n.topStatements.hint}`)
    for (const f of n.findings) lines.push(`    ${MARK[f.status]}: ${f.reason}`)
  }
  return lines.join('\n') + '\n'
}

export function formatPlan(p: ActionPlan): string {
  const lines = [`${p.title}  [risk ${p.risk}]`, `  ${p.summary}`, '  pre-checks:']
  for (const c of p.prechecks) lines.push(`    ${c.passed ? 'pass' : 'FAIL'}  ${c.name}: ${c.detail}`)
  for (const w of p.warnings) lines.push(`  warning: ${w}`)
  lines.push('  steps:')
  p.steps.forEach((s, i) => {
    lines.push(`    ${i + 1}. ${s.title}`)
    for (const c of s.commands) lines.push(`         ${c}`)
  })
  lines.push(p.runnable ? `  to run: confirm with --confirm ${p.target}` : '  not runnable: a pre-check failed')
  return lines.join('\n') + '\n'
}

function formatResult(r: ActionResult): string {
  const lines = [`${r.outcome.toUpperCase()} in ${(r.durationMs / 1000).toFixed(1)} s: ${r.message}`]
  for (const v of r.verification) lines.push(`  ${v.passed ? 'pass' : 'FAIL'}  ${v.name}: ${v.detail}`)
  return lines.join('\n') + '\n'
}

const actionOptions = {
  endpoint: { type: 'string' },
  json: { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  yes: { type: 'boolean' },
  confirm: { type: 'string' },
  to: { type: 'string' },
  name: { type: 'string' },
  host: { type: 'string' },
  port: { type: 'string' },
  'data-dir': { type: 'string' },
  'ssh-host': { type: 'string' },
  'bin-dir': { type: 'string' },
  upstream: { type: 'string' },
  'delete-data-dir': { type: 'boolean' },
  health: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const

class UsageError extends Error {}

function location(v: Record<string, string | boolean | undefined>, name: string | undefined): PgNodeLocation | undefined {
  if (!v.host && !v.port && !v['data-dir'] && !v['ssh-host']) return undefined
  const parsed = PgNodeLocation.safeParse({ name, host: v.host, port: v.port === undefined ? undefined : Number(v.port), dataDir: v['data-dir'], sshHostId: v['ssh-host'], binDir: v['bin-dir'] })
  if (!parsed.success) throw new UsageError(`invalid node location: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'value'}: ${i.message}`).join('; ')}`)
  return parsed.data
}

/** `switchyard pg ...`: argv starts after "pg". */
export async function pgCommand(argv: string[], hub: ServiceHub, io: CliIo): Promise<number> {
  let parsed: ReturnType<typeof parseArgs<{ args: string[]; options: typeof actionOptions; allowPositionals: true }>>
  try {
    parsed = parseArgs({ args: argv, options: actionOptions, allowPositionals: true })
  } catch (err) {
    io.err(`${(err as Error).message}\n${PG_USAGE}`)
    return 2
  }
  const { values: v, positionals } = parsed
  const [verb, envName, arg] = positionals
  if (verb === 'help' || v.help) {
    io.out(PG_USAGE)
    return 0
  }
  if (!verb || !envName) {
    io.err(PG_USAGE)
    return verb === 'status' ? 3 : 2
  }
  try {
    const { environment } = await hub.connect(envName)
    const endpointId = pickEndpoint(environment.endpoints, v.endpoint)
    if (verb === 'status') {
      const service = new PostgresService(hub)
      const topo = await service.topology(envName, endpointId)
      const health = v.health ? await service.health(envName, endpointId) : undefined
      if (v.json) io.out(JSON.stringify(health ? { topology: topo, health } : topo, null, 2) + '\n')
      else io.out(formatTopology(topo) + (health ? formatHealth(health) : ''))
      const worst = health && pluginExitCode(health.status) > pluginExitCode(topo.status) ? health.status : topo.status
      return pluginExitCode(worst)
    }
    const base = { environment: envName, endpointId }
    let request: ActionRequest
    const check = <T>(r: { success: true; data: T } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } }): T => {
      if (!r.success) throw new UsageError(`invalid ${verb} request: ${r.error.issues.map((i) => `${i.path.join('.') || 'value'}: ${i.message}`).join('; ')}`)
      return r.data
    }
    switch (verb) {
      case 'switchover':
        if (!(arg ?? v.to)) throw new UsageError('switchover needs the standby to promote: switchyard pg switchover <env> <node>')
        request = check(PgSwitchoverRequest.safeParse({ ...base, kind: 'pg.switchover', newPrimary: arg ?? v.to }))
        break
      case 'failover':
        request = check(PgFailoverRequest.safeParse({ ...base, kind: 'pg.failover', newPrimary: arg ?? v.to }))
        break
      case 'rejoin':
        request = check(PgRejoinRequest.safeParse({ ...base, kind: 'pg.rejoin', node: arg }))
        break
      case 'add-replica': {
        const node = location(v, v.name ?? arg)
        if (!node) throw new UsageError('add-replica needs --name, --host, --port, --data-dir and --ssh-host')
        request = check(PgAddReplicaRequest.safeParse({ ...base, kind: 'pg.add-replica', node, upstream: v.upstream }))
        break
      }
      case 'remove-replica':
        request = check(PgRemoveReplicaRequest.safeParse({ ...base, kind: 'pg.remove-replica', node: arg ?? v.name, location: location(v, arg ?? v.name), deleteDataDir: Boolean(v['delete-data-dir']) }))
        break
      default:
        throw new UsageError(`unknown pg command "${verb}"`)
    }
    return await runAction(hub, request, v, io)
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`${err.message}\n\n${PG_USAGE}`)
      return 2
    }
    const e = toConnError(err)
    io.err(`error [${e.code}]: ${e.message}\n`)
    return verb === 'status' ? 3 : 1
  }
}

async function runAction(hub: ServiceHub, request: ActionRequest, v: { json?: boolean; 'dry-run'?: boolean; yes?: boolean; confirm?: string }, io: CliIo): Promise<number> {
  const runner = new ActionRunner({
    definitions: postgresActions,
    audit: hub.audit,
    connect: (name) => hub.connect(name),
    onProgress: (p) => {
      if (!v.json) io.err(`[${p.step}/${p.totalSteps}] ${p.message}\n`)
    },
  })
  const plan = await runner.plan(request)
  if (v['dry-run'] || (!v.yes && v.confirm === undefined)) {
    io.out(v.json ? JSON.stringify(plan, null, 2) + '\n' : formatPlan(plan))
    if (v['dry-run']) return plan.runnable ? 0 : 1
    io.err(`not run: confirm with --confirm ${plan.target} (or --yes), or use --dry-run to only plan\n`)
    return 2
  }
  if (!plan.runnable) {
    io.out(v.json ? JSON.stringify(plan, null, 2) + '\n' : formatPlan(plan))
    io.err('not run: a pre-check failed\n')
    return 1
  }
  const confirm = v.yes ? plan.target : (v.confirm ?? '')
  if (confirm !== plan.target) {
    io.err(`not run: --confirm ${confirm} does not match the target "${plan.target}"\n`)
    return 2
  }
  if (!v.json) io.out(formatPlan(plan))
  const result = await runner.run(plan.planId, confirm)
  io.out(v.json ? JSON.stringify({ plan, result }, null, 2) + '\n' : formatResult(result))
  return result.outcome === 'succeeded' ? 0 : 1
}
