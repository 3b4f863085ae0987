import type { ActionPlan, ActionResult } from '../../shared/actions'
import type { ActionRequest } from '../../shared/action-requests'
import { pluginExitCode } from '../../shared/domain/health'
import { parseAddr } from '../../shared/domain/redis-parse'
import { fmtBytes } from '../../shared/domain/redis-topology'
import { FailoverMode, RedisAddMasterRequest, RedisAddReplicaRequest, RedisFailoverRequest, RedisFixRequest, RedisRebalanceRequest, RedisRemoveMasterRequest, RedisSentinelFailoverRequest, type RedisTopology, type SentinelTopology } from '../../shared/redis'
import { ActionRunner } from '../actions/action-runner'
import { toConnError } from '../errors'
import type { ServiceHub } from '../service-hub'
import { createRedisActions } from './redis-actions'
import { readTopology } from './redis-watch'
import { discoverSentinel } from './sentinel'

import type { CliIo } from '../cli-io'

export const redisUsage = `usage: switchyard redis <command> <env> [options]

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
  sentinel-failover <env> <master-name> --endpoint <sentinel-endpoint>
                                       SENTINEL FAILOVER with plan and verification

common options:
  --endpoint <id>     the redis-cluster endpoint (default: the environment's first)
  --dry-run           print the plan (steps and exact commands) and stop
  --confirm <target>  run after checking the plan's target, as typed
  --yes               run without --confirm
  --json              machine-readable output`

interface Parsed {
  positional: string[]
  flags: Map<string, string[]>
}

const booleanFlags = new Set(['dry-run', 'json', 'yes', 'no-empty-masters', 'no-rebalance', 'help'])

function parseArgs(argv: string[]): Parsed {
  const positional: string[] = []
  const flags = new Map<string, string[]>()
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!
    if (!a.startsWith('--')) {
      positional.push(a)
      continue
    }
    const eq = a.indexOf('=')
    const name = eq === -1 ? a.slice(2) : a.slice(2, eq)
    let value: string
    if (eq !== -1) value = a.slice(eq + 1)
    else if (booleanFlags.has(name)) value = 'true'
    else {
      const next = argv[i + 1]
      if (next === undefined) throw new UsageError(`--${name} needs a value`)
      value = next
      i++
    }
    flags.set(name, [...(flags.get(name) ?? []), value])
  }
  return { positional, flags }
}

class UsageError extends Error {}

const flag = (p: Parsed, name: string) => p.flags.get(name)?.at(-1)
const has = (p: Parsed, name: string) => p.flags.has(name)
function num(p: Parsed, name: string): number | undefined {
  const v = flag(p, name)
  if (v === undefined) return undefined
  const n = Number(v)
  if (!Number.isFinite(n)) throw new UsageError(`--${name} must be a number`)
  return n
}

async function endpointOf(hub: ServiceHub, env: string, p: Parsed, kind: 'redis-cluster' | 'redis-sentinel'): Promise<string> {
  const explicit = flag(p, 'endpoint')
  if (explicit) return explicit
  const environment = await hub.inventory.get(env)
  const e = environment.endpoints.find((x) => x.kind === kind)
  if (!e) throw new UsageError(`environment ${env} has no ${kind} endpoint`)
  return e.id
}

function sentinelText(t: SentinelTopology): string {
  const lines = [`${t.status.toUpperCase()}: ${t.reason}`]
  for (const s of t.sentinels) lines.push(`  sentinel ${s.addr.padEnd(22)} ${s.error ? `error: ${s.error.message}` : `monitors ${s.masters.join(', ') || 'nothing'}`}`)
  for (const m of t.masters) {
    lines.push(`  master ${m.name} at ${m.addr} [${m.flags.join(',')}] quorum ${m.quorum}, ${m.sentinels.length + 1} sentinels: ${m.ckquorum.message}`)
    for (const r of m.replicas) lines.push(`    replica ${r.addr.padEnd(22)} link ${r.linkStatus}, lag ${r.lagBytes ?? '?'} B, priority ${r.priority} [${r.flags.join(',')}]`)
  }
  for (const f of t.findings) lines.push(`  ${f.severity.padEnd(8)} ${f.message}`)
  return lines.join('\n')
}

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
      lines.push(`  ${m.addr.padEnd(22)} ${String(m.slots).padStart(5)} slots (${m.imbalancePct >= 0 ? '+' : ''}${m.imbalancePct}%)  ${m.keys ?? '?'} keys  ${m.usedMemory !== null ? fmtBytes(m.usedMemory) : '?'}  ${m.replicas} replica(s)`)
  }
  if (t.nodes.length) {
    lines.push('', 'nodes:')
    for (const n of t.nodes) {
      const flags = n.flags.filter((f) => f !== 'master' && f !== 'slave')
      lines.push(`  ${n.status.padEnd(8)} ${n.addr.padEnd(22)} ${n.role.padEnd(7)} ${n.id.slice(0, 8)} ${flags.length ? `[${flags.join(',')}] ` : ''}${n.detail}${n.stats ? `, ${n.stats.opsPerSec} ops/s` : ''}`)
    }
  }
  if (t.findings.length) {
    lines.push('', 'findings:')
    for (const f of t.findings) lines.push(`  ${f.severity.padEnd(8)} ${f.message}${f.fix ? `  → ${f.fix.label} (${f.fix.kind})` : ''}`)
  }
  return lines.join('\n')
}

function planText(plan: ActionPlan): string {
  const lines = [`${plan.title}  [risk: ${plan.risk}]`, plan.summary, '']
  plan.steps.forEach((s, i) => {
    lines.push(`step ${i + 1}: ${s.title}`)
    for (const c of s.commands) lines.push(`    ${c}`)
  })
  if (plan.prechecks.length) {
    lines.push('', 'pre-checks:')
    for (const c of plan.prechecks) lines.push(`  ${c.passed ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}`)
  }
  for (const w of plan.warnings) lines.push(`WARNING: ${w}`)
  lines.push('', `target: ${plan.target}`)
  return lines.join('\n')
}

function resultText(r: ActionResult): string {
  const lines = [`${r.outcome.toUpperCase()} in ${(r.durationMs / 1000).toFixed(1)} s: ${r.message}`]
  for (const v of r.verification) lines.push(`  ${v.passed ? 'ok  ' : 'FAIL'} ${v.name}: ${v.detail}`)
  return lines.join('\n')
}

async function buildRequest(cmd: string, env: string, endpointId: string, p: Parsed): Promise<ActionRequest> {
  const base = { environment: env, endpointId }
  switch (cmd) {
    case 'failover': {
      const master = p.positional[2]
      if (!master) throw new UsageError('failover needs the master (node id or host:port)')
      const mode = FailoverMode.safeParse(flag(p, 'mode') ?? 'default')
      if (!mode.success) throw new UsageError('--mode is default, force or takeover')
      return RedisFailoverRequest.parse({ ...base, kind: 'redis.failover', master, replica: flag(p, 'replica') ?? 'best', mode: mode.data, ...(num(p, 'max-lag') !== undefined ? { maxLagBytes: num(p, 'max-lag') } : {}), ...(num(p, 'timeout') !== undefined ? { timeoutMs: num(p, 'timeout') } : {}) })
    }
    case 'rebalance': {
      const weights: Record<string, number> = {}
      for (const w of p.flags.get('weight') ?? []) {
        const i = w.lastIndexOf('=')
        if (i <= 0) throw new UsageError('--weight is <node>=<number>')
        weights[w.slice(0, i)] = Number(w.slice(i + 1))
      }
      return RedisRebalanceRequest.parse({ ...base, kind: 'redis.rebalance', weights, useEmptyMasters: !has(p, 'no-empty-masters'), ...(num(p, 'threshold') !== undefined ? { thresholdPct: num(p, 'threshold') } : {}), ...(num(p, 'concurrency') !== undefined ? { concurrency: num(p, 'concurrency') } : {}), ...(num(p, 'batch') !== undefined ? { batchKeys: num(p, 'batch') } : {}) })
    }
    case 'fix':
      return RedisFixRequest.parse({ ...base, kind: 'redis.fix' })
    case 'add-master': {
      const template = flag(p, 'start-template')
      const dir = flag(p, 'start-dir')
      if ((template === undefined) !== (dir === undefined)) throw new UsageError('--start-template and --start-dir go together')
      const start = template && dir ? { start: { template, dir, ...(flag(p, 'ssh') ? { sshHostId: flag(p, 'ssh') } : {}) } } : {}
      return RedisAddMasterRequest.parse({ ...base, kind: 'redis.add-master', node: hostPort(p.positional[2], 'the new node'), rebalance: !has(p, 'no-rebalance'), ...(num(p, 'weight') !== undefined ? { weight: num(p, 'weight') } : {}), ...start })
    }
    case 'add-replica': {
      const master = flag(p, 'master')
      if (!master) throw new UsageError('add-replica needs --master <node>')
      return RedisAddReplicaRequest.parse({ ...base, kind: 'redis.add-replica', node: hostPort(p.positional[2], 'the new node'), master })
    }
    case 'sentinel-failover': {
      const master = p.positional[2]
      if (!master) throw new UsageError('sentinel-failover needs the master name')
      return RedisSentinelFailoverRequest.parse({ ...base, kind: 'redis.sentinel-failover', master, ...(num(p, 'timeout') !== undefined ? { timeoutMs: num(p, 'timeout') } : {}) })
    }
    case 'remove-master': {
      const node = p.positional[2]
      if (!node) throw new UsageError('remove-master needs the node (id or host:port)')
      return RedisRemoveMasterRequest.parse({ ...base, kind: 'redis.remove-master', node })
    }
  }
  throw new UsageError(`unknown redis command "${cmd}"`)
}

/**
 * `switchyard redis …`: status with monitoring-plugin exit codes, and every Redis action through the
 * same plan → confirm → run → verify path as the app. Ctrl-C during a run cancels between slots.
 */
export async function redisCommand(argv: string[], hub: ServiceHub, rawIo: CliIo): Promise<number> {
  // Like the main CLI, every write is a whole line.
  const io: CliIo = { out: (s) => rawIo.out(s.endsWith('\n') ? s : `${s}\n`), err: (s) => rawIo.err(s.endsWith('\n') ? s : `${s}\n`) }
  let parsed: Parsed
  try {
    parsed = parseArgs(argv)
  } catch (err) {
    io.err(`${(err as Error).message}\n${redisUsage}`)
    return 2
  }
  const [cmd, env] = parsed.positional
  if (!cmd || has(parsed, 'help') || cmd === 'help') {
    io.out(redisUsage)
    return cmd || has(parsed, 'help') ? 0 : 2
  }
  if (!env) {
    io.err(`missing <env>\n${redisUsage}`)
    return 2
  }
  const json = has(parsed, 'json')
  try {
    const sentinelCmd = cmd === 'sentinel-failover'
    const endpointId = await endpointOf(hub, env, parsed, sentinelCmd ? 'redis-sentinel' : 'redis-cluster')
    if (cmd === 'status') {
      const { connections } = await hub.connect(env)
      const endpoint = connections.endpoint(endpointId)
      if (endpoint.kind === 'redis-sentinel') {
        const st = await discoverSentinel(endpoint, connections, env)
        io.out(json ? JSON.stringify(st, null, 2) : sentinelText(st))
        return pluginExitCode(st.status)
      }
      const t = await readTopology(hub, env, endpointId)
      io.out(json ? JSON.stringify(t, null, 2) : statusText(t))
      return pluginExitCode(t.status)
    }
    const request = await buildRequest(cmd, env, endpointId, parsed)
    const runner = new ActionRunner({
      definitions: createRedisActions(hub.options.dataDir),
      audit: hub.audit,
      connect: (name) => hub.connect(name),
      onProgress: (p) => {
        if (!json) io.err(`[${p.step}/${p.totalSteps}] ${p.message}${p.fraction !== undefined ? ` (${Math.round(p.fraction * 100)}%)` : ''}`)
      },
    })
    const plan = await runner.plan(request)
    if (has(parsed, 'dry-run')) {
      io.out(json ? JSON.stringify({ plan }, null, 2) : planText(plan))
      return plan.runnable ? 0 : 1
    }
    if (!json) io.out(planText(plan))
    if (!plan.runnable) {
      io.err(`not running: pre-checks failed (${plan.prechecks.filter((c) => !c.passed).map((c) => c.name).join(', ')})`)
      if (json) io.out(JSON.stringify({ plan }, null, 2))
      return 2
    }
    const confirm = has(parsed, 'yes') ? plan.target : flag(parsed, 'confirm')
    if (confirm === undefined) {
      io.err(`not running: confirm with --confirm ${plan.target} (or --yes)`)
      return 2
    }
    if (confirm.trim() !== plan.target) {
      io.err(`not running: --confirm "${confirm}" does not match the target "${plan.target}"`)
      return 2
    }
    const onSigint = () => {
      io.err('cancelling after the slots in flight…')
      runner.cancel(plan.planId)
    }
    process.once('SIGINT', onSigint)
    let result: ActionResult
    try {
      result = await runner.run(plan.planId, confirm)
    } finally {
      process.off('SIGINT', onSigint)
    }
    io.out(json ? JSON.stringify({ plan, result }, null, 2) : resultText(result))
    return result.outcome === 'succeeded' ? 0 : result.outcome === 'cancelled' ? 130 : 1
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`${err.message}\n${redisUsage}`)
      return 2
    }
    const e = toConnError(err)
    io.err(`error (${e.code}): ${e.message}`)
    return cmd === 'status' ? 3 : 1
  }
}
