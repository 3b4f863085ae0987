import type { ActionRequest } from '../../../shared/action-requests'
import { pluginExitCode } from '../../../shared/domain/health'
import { parseAddr } from '../../../shared/domain/redis-parse'
import { formatBytes } from '../../../shared/domain/units'
import {
  FailoverMode,
  RedisAddMasterRequest,
  RedisAddReplicaRequest,
  RedisFailoverRequest,
  RedisFixRequest,
  RedisRebalanceRequest,
  RedisRemoveMasterRequest,
  type RedisTopology,
} from '../../../shared/systems/redis'
import { chooseEndpoint, numberFlag, parseCommand, requestFrom, runActionCommand, UsageError, type CliCommand, type CliContext } from '../../core/cli'
import { readTopology } from './redis-watch'

const USAGE = `usage: switchyard redis <command> <env> [options]

  status <env>                         topology, slot balance and findings
                                       (exit 0 ok, 1 warning, 2 critical, 3 unknown)
  failover <env> <master>              promote a replica of <master> (id or host:port)
      --replica best|<node>            which replica (default: best = smallest lag, link up)
      --mode default|force|takeover    CLUSTER FAILOVER mode (default: default)
      --max-lag <bytes>  --timeout <ms>
  rebalance <env>                      even out slots (or resume an interrupted migration)
      --weight <node>=<w>              relative weight (repeatable; 0 drains a master)
      --threshold <pct>  --no-empty-masters  --concurrency <n>  --batch <keys>
  fix <env>                            close open slots, cover uncovered ones
  add-master <env> <host:port> [--no-rebalance] [--weight <w>]
      [--start-template <path> --start-dir <path> [--ssh <ssh-endpoint>]]
                                       start it first over SSH from a template redis.conf
  add-replica <env> <host:port> --master <node>
  remove-master <env> <node>

common options:
  --endpoint <id>     the redis-cluster endpoint (default: the environment's first)
  --dry-run           print the plan (steps and exact commands) and stop
  --confirm <target>  run after checking the plan's target, as typed
  --yes               run without --confirm
  --json              machine-readable output`

function hostPort(text: string | undefined, what: string): { host: string; port: number } {
  const hp = text ? parseAddr(text) : null
  if (!hp) throw new UsageError(`${what} must be host:port`)
  return hp
}

function statusText(t: RedisTopology): string {
  const lines: string[] = []
  lines.push(`${t.status.toUpperCase()}: ${t.reason}`)
  lines.push(`cluster_state ${t.clusterState}, seed ${t.seed ?? '-'}, ${t.nodes.length} nodes, polled in ${t.durationMs} ms`)
  if (t.masters.length) {
    lines.push('', 'masters:')
    for (const m of t.masters)
      lines.push(
        `  ${m.addr.padEnd(22)} ${String(m.slots).padStart(5)} slots (${m.imbalancePct >= 0 ? '+' : ''}${m.imbalancePct}%)  ${m.keys ?? '?'} keys  ${m.usedMemory !== null ? formatBytes(m.usedMemory) : '?'}  ${m.replicas} replica(s)`,
      )
  }
  if (t.nodes.length) {
    lines.push('', 'nodes:')
    for (const n of t.nodes) {
      const flags = n.flags.filter((f) => f !== 'master' && f !== 'slave')
      lines.push(
        `  ${n.status.padEnd(8)} ${n.addr.padEnd(22)} ${n.role.padEnd(7)} ${n.id.slice(0, 8)} ${flags.length ? `[${flags.join(',')}] ` : ''}${n.detail}${n.stats ? `, ${n.stats.opsPerSec} ops/s` : ''}`,
      )
    }
  }
  if (t.findings.length) {
    lines.push('', 'findings:')
    for (const f of t.findings) lines.push(`  ${f.severity.padEnd(8)} ${f.message}${f.fix ? `  → ${f.fix.label} (${f.fix.kind})` : ''}`)
  }
  return lines.join('\n')
}

const options = {
  replica: { type: 'string' },
  mode: { type: 'string' },
  'max-lag': { type: 'string' },
  timeout: { type: 'string' },
  weight: { type: 'string', multiple: true },
  threshold: { type: 'string' },
  'no-empty-masters': { type: 'boolean' },
  concurrency: { type: 'string' },
  batch: { type: 'string' },
  'no-rebalance': { type: 'boolean' },
  'start-template': { type: 'string' },
  'start-dir': { type: 'string' },
  ssh: { type: 'string' },
  master: { type: 'string' },
} as const

type Values = ReturnType<typeof parseCommand<typeof options>>['values']

/** Only the options that were given, so the schemas' defaults apply to the rest. */
function given(entries: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(entries).filter(([, v]) => v !== undefined))
}

function buildRequest(verb: string, base: { environment: string; endpointId: string }, target: string | undefined, v: Values): ActionRequest {
  switch (verb) {
    case 'failover': {
      if (!target) throw new UsageError('failover needs the master (node id or host:port)')
      const mode = FailoverMode.safeParse(v.mode ?? 'default')
      if (!mode.success) throw new UsageError('--mode is default, force or takeover')
      return requestFrom(
        `${verb} request`,
        RedisFailoverRequest.safeParse({
          ...base,
          kind: 'redis.failover',
          master: target,
          replica: v.replica ?? 'best',
          mode: mode.data,
          ...given({ maxLagBytes: numberFlag(v['max-lag'], 'max-lag'), timeoutMs: numberFlag(v.timeout, 'timeout') }),
        }),
      )
    }
    case 'rebalance': {
      const weights: Record<string, number> = {}
      for (const w of v.weight ?? []) {
        const i = w.lastIndexOf('=')
        if (i <= 0) throw new UsageError('--weight is <node>=<number>')
        weights[w.slice(0, i)] = Number(w.slice(i + 1))
      }
      return requestFrom(
        `${verb} request`,
        RedisRebalanceRequest.safeParse({
          ...base,
          kind: 'redis.rebalance',
          weights,
          useEmptyMasters: !v['no-empty-masters'],
          ...given({
            thresholdPct: numberFlag(v.threshold, 'threshold'),
            concurrency: numberFlag(v.concurrency, 'concurrency'),
            batchKeys: numberFlag(v.batch, 'batch'),
          }),
        }),
      )
    }
    case 'fix':
      return requestFrom(`${verb} request`, RedisFixRequest.safeParse({ ...base, kind: 'redis.fix' }))
    case 'add-master': {
      const template = v['start-template']
      const dir = v['start-dir']
      if ((template === undefined) !== (dir === undefined)) throw new UsageError('--start-template and --start-dir go together')
      const start = template && dir ? { start: { template, dir, ...given({ sshHostId: v.ssh }) } } : {}
      return requestFrom(
        `${verb} request`,
        RedisAddMasterRequest.safeParse({
          ...base,
          kind: 'redis.add-master',
          node: hostPort(target, 'the new node'),
          rebalance: !v['no-rebalance'],
          ...given({ weight: numberFlag(v.weight?.at(-1), 'weight') }),
          ...start,
        }),
      )
    }
    case 'add-replica':
      if (!v.master) throw new UsageError('add-replica needs --master <node>')
      return requestFrom(
        `${verb} request`,
        RedisAddReplicaRequest.safeParse({ ...base, kind: 'redis.add-replica', node: hostPort(target, 'the new node'), master: v.master }),
      )
    case 'remove-master':
      if (!target) throw new UsageError('remove-master needs the node (id or host:port)')
      return requestFrom(`${verb} request`, RedisRemoveMasterRequest.safeParse({ ...base, kind: 'redis.remove-master', node: target }))
  }
  throw new UsageError(`unknown redis command "${verb}"`)
}

/** `switchyard redis …`: status with monitoring-plugin exit codes, and every Redis action through the app's plan → confirm → run → verify. */
async function run(argv: string[], ctx: CliContext): Promise<number> {
  const { values: v, positionals } = parseCommand(argv, options)
  const [verb, env, target] = positionals
  if (verb === 'help' || v.help) {
    ctx.io.out(USAGE + '\n')
    return 0
  }
  if (!verb || !env) throw new UsageError('missing <command> or <env>')
  const endpointId = await chooseEndpoint(ctx.hub, env, ['redis-cluster'], v.endpoint)
  if (verb === 'status') {
    const t = await readTopology(ctx.hub, env, endpointId)
    ctx.io.out(v.json ? JSON.stringify(t, null, 2) + '\n' : statusText(t) + '\n')
    return pluginExitCode(t.status)
  }
  return runActionCommand(ctx, buildRequest(verb, { environment: env, endpointId }, target, v), v)
}

export const redisCli: CliCommand = {
  name: 'redis',
  summary: 'status|failover|rebalance|fix|add-master|add-replica|remove-master <env> ...   Redis Cluster',
  usage: USAGE,
  run,
}
