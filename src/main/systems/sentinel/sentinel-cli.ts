import { pluginExitCode } from '../../../shared/domain/health'
import { RedisSentinelFailoverRequest, type SentinelTopology } from '../../../shared/systems/sentinel'
import { chooseEndpoint, numberFlag, parseCommand, requestFrom, runActionCommand, UsageError, type CliCommand, type CliContext } from '../../core/cli'
import { discoverSentinel } from './sentinel-reader'

const USAGE = `usage: switchyard sentinel <command> <env> [options]

  status <env>                       masters, replicas, sentinels and CKQUORUM
                                     (exit 0 ok, 1 warning, 2 critical, 3 unknown)
  failover <env> <master-name>       SENTINEL FAILOVER with plan and verification
      --timeout <ms>

  --endpoint <id>   the redis-sentinel endpoint (default: the environment's only one)
  --dry-run  --confirm <target>  --yes  --json   as for every action`

export function sentinelText(t: SentinelTopology): string {
  const lines = [`${t.status.toUpperCase()}: ${t.reason}`]
  for (const s of t.sentinels)
    lines.push(`  sentinel ${s.addr.padEnd(22)} ${s.error ? `error: ${s.error.message}` : `monitors ${s.masters.join(', ') || 'nothing'}`}`)
  for (const m of t.masters) {
    lines.push(`  master ${m.name} at ${m.addr} [${m.flags.join(',')}] quorum ${m.quorum}, ${m.sentinels.length + 1} sentinels: ${m.ckquorum.message}`)
    for (const r of m.replicas)
      lines.push(`    replica ${r.addr.padEnd(22)} link ${r.linkStatus}, lag ${r.lagBytes ?? '?'} B, priority ${r.priority} [${r.flags.join(',')}]`)
  }
  for (const f of t.findings) lines.push(`  ${f.severity.padEnd(8)} ${f.message}`)
  return lines.join('\n') + '\n'
}

async function run(argv: string[], ctx: CliContext): Promise<number> {
  const { values: v, positionals } = parseCommand(argv, { timeout: { type: 'string' } })
  const [verb, env, master] = positionals
  if (verb === 'help' || v.help) {
    ctx.io.out(USAGE + '\n')
    return 0
  }
  if (!verb || !env) throw new UsageError('missing <command> or <env>')
  const endpointId = await chooseEndpoint(ctx.hub, env, ['redis-sentinel'], v.endpoint)
  if (verb === 'status') {
    const { connections } = await ctx.hub.connect(env)
    const endpoint = connections.endpoint(endpointId)
    if (endpoint.kind !== 'redis-sentinel') throw new UsageError(`"${endpointId}" is not a Redis Sentinel endpoint`)
    const t = await discoverSentinel(endpoint, connections, env)
    ctx.io.out(v.json ? JSON.stringify(t, null, 2) + '\n' : sentinelText(t))
    return pluginExitCode(t.status)
  }
  if (verb !== 'failover') throw new UsageError(`unknown sentinel command "${verb}"`)
  if (!master) throw new UsageError('failover needs the master name')
  const timeoutMs = numberFlag(v.timeout, 'timeout')
  const request = requestFrom(
    'failover request',
    RedisSentinelFailoverRequest.safeParse({
      environment: env,
      endpointId,
      kind: 'redis.sentinel-failover',
      master,
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    }),
  )
  return runActionCommand(ctx, request, v)
}

export const sentinelCli: CliCommand = { name: 'sentinel', summary: 'status|failover <env> ...   Redis Sentinel', usage: USAGE, run }
