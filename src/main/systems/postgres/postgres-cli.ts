import type { ActionRequest } from '../../../shared/action-requests'
import { pluginExitCode } from '../../../shared/domain/health'
import { formatBytes, formatSeconds } from '../../../shared/domain/units'
import {
  PgAddReplicaRequest,
  PgFailoverRequest,
  PgNodeLocation,
  PgRejoinRequest,
  PgRemoveReplicaRequest,
  PgSwitchoverRequest,
  type PgHealth,
  type PgTopology,
} from '../../../shared/systems/postgres'
import { chooseEndpoint, MARK, parseCommand, requestFrom, runActionCommand, UsageError, type CliCommand, type CliContext } from '../../core/cli'
import { postgresService } from './postgres-service'
import { PatroniFailoverRequest, PatroniSwitchoverRequest } from '../../../shared/systems/patroni'

export const PG_USAGE = `usage: switchyard pg <command> <env> [options]

  status <env> [--health] [--json]        replication topology, lag per standby and findings
                                          (exit 0 ok, 1 warning, 2 critical, 3 unknown)
  switchover <env> <new-primary>          planned switchover with zero data loss (through Patroni when it manages the cluster)
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

export function formatTopology(t: PgTopology): string {
  const lines = [`${MARK[t.status]} ${t.environment}/${t.endpointId}: ${t.reason}`]
  lines.push('  node      role      upstream  timeline  position')
  for (const n of t.nodes) {
    const pos = n.role === 'down' ? (n.error ? `[${n.error.code}] ${n.error.message}` : 'down') : (n.currentLsn ?? n.replayLsn ?? '-')
    lines.push(
      `  ${n.name.padEnd(9)} ${n.role.padEnd(9)} ${(n.upstream ?? '-').padEnd(9)} ${String(n.timeline ?? '-').padEnd(9)} ${pos}${n.listed ? '' : ' (not in node list)'}`,
    )
  }
  if (t.standbys.length) {
    lines.push('  standby   state       sync    lag bytes    lag time   status')
    for (const s of t.standbys)
      lines.push(
        `  ${s.standby.padEnd(9)} ${s.state.padEnd(11)} ${(s.syncState ?? '-').padEnd(7)} ${(s.bytes === null ? '-' : formatBytes(s.bytes)).padEnd(12)} ${(s.seconds === null ? '-' : formatSeconds(s.seconds)).padEnd(10)} ${MARK[s.status]} ${s.label}`,
      )
  }
  for (const n of t.nodes)
    for (const sl of n.slots)
      lines.push(
        `  slot ${sl.name} on ${n.name}: ${sl.active ? 'active' : 'INACTIVE'}, retains ${formatBytes(sl.retainedBytes ?? 0)}${sl.walStatus ? `, wal ${sl.walStatus}` : ''}`,
      )
  const p = t.patroni
  if (p?.source) {
    lines.push(`  patroni ${p.scope ?? '?'} (v${p.version ?? '?'}, ${p.source})${p.paused ? ': PAUSED, no automatic failover' : ''}`)
    for (const m of p.members)
      lines.push(
        `    ${m.name.padEnd(9)} ${m.role.padEnd(12)} ${m.state.padEnd(10)} timeline ${String(m.timeline ?? '-').padEnd(4)} lag ${m.lagBytes === null ? '-' : formatBytes(m.lagBytes)}${m.pendingRestart ? ', restart pending' : ''}`,
      )
  }
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
    lines.push(
      `  ${n.name} (${n.role}): ${c ? `${c.total}/${c.max} connections, ${c.active} active, ${c.idleInTransaction} idle in transaction, ${c.waitingOnLocks} waiting on locks` : ''}`,
    )
    lines.push(
      `    cache hit ${n.cacheHitRatio == null ? '-' : `${(n.cacheHitRatio * 100).toFixed(2)}%`}, xid age ${n.xidWraparound?.age ?? '-'} (${n.xidWraparound?.database ?? '-'}), checkpoints ${n.checkpoints ? `${n.checkpoints.timed} timed / ${n.checkpoints.requested} requested` : '-'}`,
    )
    if (n.longestQuery)
      lines.push(
        `    longest query ${formatSeconds(n.longestQuery.seconds)} pid ${n.longestQuery.pid}: ${n.longestQuery.query.replace(/\s+/g, ' ').slice(0, 100)}`,
      )
    if (n.longestTransaction)
      lines.push(`    longest transaction ${formatSeconds(n.longestTransaction.seconds)} pid ${n.longestTransaction.pid} (${n.longestTransaction.state})`)
    lines.push(`    databases: ${n.databases.map((d) => `${d.name} ${formatBytes(d.sizeBytes)}`).join(', ')}`)
    if (n.topStatements?.available)
      for (const s of n.topStatements.rows.slice(0, 5))
        lines.push(`    ${s.totalMs.toFixed(1).padStart(10)} ms ${String(s.calls).padStart(7)} calls  ${s.query.replace(/\s+/g, ' ').slice(0, 80)}`)
    else if (n.topStatements?.hint) lines.push(`    top statements: ${n.topStatements.hint}`)
    for (const f of n.findings) lines.push(`    ${MARK[f.status]}: ${f.reason}`)
  }
  return lines.join('\n') + '\n'
}

const options = {
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
} as const

function location(v: Record<string, string | boolean | undefined>, name: string | undefined): PgNodeLocation | undefined {
  if (!v.host && !v.port && !v['data-dir'] && !v['ssh-host']) return undefined
  return requestFrom(
    'node location',
    PgNodeLocation.safeParse({
      name,
      host: v.host,
      port: v.port === undefined ? undefined : Number(v.port),
      dataDir: v['data-dir'],
      sshHostId: v['ssh-host'],
      binDir: v['bin-dir'],
    }),
  )
}

/** `switchyard pg ...`: argv starts after "pg". */
async function pgCommand(argv: string[], ctx: CliContext): Promise<number> {
  const { hub, io } = ctx
  const { values: v, positionals } = parseCommand(argv, options)
  const [verb, envName, arg] = positionals
  if (verb === 'help' || v.help) {
    io.out(PG_USAGE)
    return 0
  }
  if (!verb || !envName) throw new UsageError('missing <command> or <env>')
  const endpointId = await chooseEndpoint(hub, envName, ['postgres'], v.endpoint)
  if (verb === 'status') {
    const service = postgresService(hub)
    const topo = await service.topology(envName, endpointId)
    const health = v.health ? await service.health(envName, endpointId) : undefined
    if (v.json) io.out(JSON.stringify(health ? { topology: topo, health } : topo, null, 2) + '\n')
    else io.out(formatTopology(topo) + (health ? formatHealth(health) : ''))
    const worst = health && pluginExitCode(health.status) > pluginExitCode(topo.status) ? health.status : topo.status
    return pluginExitCode(worst)
  }
  const base = { environment: envName, endpointId }
  const what = `${verb} request`
  // A cluster Patroni manages switches and fails over through Patroni, never behind its back.
  const patroni = (verb === 'switchover' || verb === 'failover') && (await postgresService(hub).topology(envName, endpointId)).manager === 'patroni'
  let request: ActionRequest
  switch (verb) {
    case 'switchover':
      if (!(arg ?? v.to)) throw new UsageError('switchover needs the standby to promote: switchyard pg switchover <env> <node>')
      request = patroni
        ? requestFrom(what, PatroniSwitchoverRequest.safeParse({ ...base, kind: 'pg.patroni-switchover', candidate: arg ?? v.to }))
        : requestFrom(what, PgSwitchoverRequest.safeParse({ ...base, kind: 'pg.switchover', newPrimary: arg ?? v.to }))
      break
    case 'failover':
      if (patroni && !(arg ?? v.to)) throw new UsageError('a failover through Patroni needs the member to promote: switchyard pg failover <env> <member>')
      request = patroni
        ? requestFrom(what, PatroniFailoverRequest.safeParse({ ...base, kind: 'pg.patroni-failover', candidate: arg ?? v.to }))
        : requestFrom(what, PgFailoverRequest.safeParse({ ...base, kind: 'pg.failover', newPrimary: arg ?? v.to }))
      break
    case 'rejoin':
      request = requestFrom(what, PgRejoinRequest.safeParse({ ...base, kind: 'pg.rejoin', node: arg }))
      break
    case 'add-replica': {
      const node = location(v, v.name ?? arg)
      if (!node) throw new UsageError('add-replica needs --name, --host, --port, --data-dir and --ssh-host')
      request = requestFrom(what, PgAddReplicaRequest.safeParse({ ...base, kind: 'pg.add-replica', node, upstream: v.upstream }))
      break
    }
    case 'remove-replica':
      request = requestFrom(
        what,
        PgRemoveReplicaRequest.safeParse({
          ...base,
          kind: 'pg.remove-replica',
          node: arg ?? v.name,
          location: location(v, arg ?? v.name),
          deleteDataDir: Boolean(v['delete-data-dir']),
        }),
      )
      break
    default:
      throw new UsageError(`unknown pg command "${verb}"`)
  }
  return runActionCommand(ctx, request, v)
}

export const pgCli: CliCommand = {
  name: 'pg',
  summary: 'status|switchover|failover|rejoin|add-replica|remove-replica <env> ...   PostgreSQL',
  usage: PG_USAGE,
  run: pgCommand,
}
