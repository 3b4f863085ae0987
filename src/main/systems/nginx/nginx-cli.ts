import type { ActionRequest } from '../../../shared/action-requests'
import { pluginExitCode } from '../../../shared/domain/health'
import {
  AppDrainRequest,
  AppRestartRequest,
  AppScaleRequest,
  NginxAddBackendRequest,
  NginxRemoveBackendRequest,
  type AppTier,
} from '../../../shared/systems/nginx'
import { chooseEndpoint, MARK, numberFlag, parseCommand, requestFrom, runActionCommand, UsageError, type CliCommand, type CliContext } from '../../core/cli'
import type { ReplicaProvider } from '../../core/replicas'
import { nginxService } from './nginx-service'

export const APP_USAGE = `usage: switchyard app <command> <env> [options]

  status <env> [--json]                        upstreams with their backends, the containers or Swarm tasks
                                               serving them, probes, stub_status, findings
                                               (exit 0 ok, 1 warning, 2 critical, 3 unknown)
  scale <env> <upstream> <replicas>            scale the Docker service behind an upstream; new backends are
                                               added after they answer, leaving ones drained before they stop
  drain <env> <upstream> <host:port> [--undo]  take a backend out of rotation (or --undo: bring it back)
  restart <env> <upstream>                     rolling restart, one backend at a time, drained first
  add-backend <env> <upstream> <host:port> [param ...]
                                               add a server line (e.g. max_fails=3 fail_timeout=30s)
  remove-backend <env> <upstream> <host:port>  remove a server line
  rightsize <env> [--json]                     each service's 7-day CPU and memory per replica (average, p95)
                                               and whether it wants fewer or more replicas (exit 1 when one does)

  every command:  --endpoint ID   the nginx endpoint when the environment has several
  actions:        --dry-run       print the plan (the exact commands) and change nothing
                  --confirm NAME  run after checking NAME is the plan's target (or --yes)
                  --json          machine-readable plan and result
  action exit codes: 0 succeeded, 1 failed or pre-checks failed, 2 usage or not confirmed
`

function pct(x: number | null): string {
  return x === null ? '-' : `${x.toFixed(0)}%`
}

export function formatTier(t: AppTier): string {
  const lines = [`${MARK[t.status]} ${t.environment}/${t.endpointId}: ${t.reason} (nginx ${t.nginxVersion ?? '?'}, ${t.durationMs} ms)`]
  if (t.stub)
    lines.push(
      `  ${t.stub.active} active (${t.stub.reading} reading, ${t.stub.writing} writing, ${t.stub.waiting} waiting)${t.stub.requestsPerSec === null ? '' : `, ${t.stub.requestsPerSec.toFixed(1)} req/s`}`,
    )
  for (const u of t.upstreams) {
    lines.push(
      `  upstream ${u.name} (${u.method}${u.keepalive ? `, keepalive ${u.keepalive}` : ''}) ${u.file}:${u.line}${u.group ? `  <- ${u.group}` : ''}${u.front.length ? `  front ${u.front.join(' ')}` : ''}`,
    )
    for (const b of u.backends) {
      const probe = b.probe.error ?? `HTTP ${b.probe.status} ${b.probe.latencyMs} ms`
      const r = b.replica
      lines.push(
        `    ${b.address.padEnd(22)} ${(b.down ? 'DOWN' : b.backup ? 'backup' : 'serving').padEnd(8)} ${probe.padEnd(18)} ${r ? `${r.name} ${r.state}${r.health !== 'none' ? ` ${r.health}` : ''} cpu ${pct(r.cpuPct)} mem ${pct(r.memPct)}` : '(no container)'}${b.failures ? `  ${b.failures} upstream error(s)` : ''}`,
      )
    }
  }
  for (const g of t.groups)
    lines.push(
      `  ${g.kind} ${g.name}: ${g.running}/${g.desired} running${g.update ? `, update ${g.update}` : ''}${g.notScalable ? ` (not scalable: ${g.notScalable})` : ''}`,
    )
  for (const f of t.findings.filter((x) => x.status !== 'ok')) lines.push(`  ${MARK[f.status]}: ${f.reason}${f.fix ? ` (fix: ${f.fix.label})` : ''}`)
  return lines.join('\n') + '\n'
}

const options = { undo: { type: 'boolean' } } as const

export function nginxCli(replicas: ReplicaProvider): CliCommand {
  return {
    name: 'app',
    summary: 'status|scale|drain|restart|add-backend|remove-backend|rightsize <env> ...   nginx upstreams and the Docker replicas behind them',
    usage: APP_USAGE,
    async run(argv: string[], ctx: CliContext): Promise<number> {
      const { hub, io } = ctx
      const { values: v, positionals } = parseCommand(argv, options)
      const [verb, envName, upstream, arg, ...rest] = positionals
      if (verb === 'help' || v.help) {
        io.out(APP_USAGE)
        return 0
      }
      if (!verb || !envName) throw new UsageError('missing <command> or <env>')
      const endpointId = await chooseEndpoint(hub, envName, ['nginx'], v.endpoint)
      if (verb === 'status') {
        const tier = await nginxService(hub, replicas).tier(envName, endpointId)
        io.out(v.json ? JSON.stringify(tier, null, 2) + '\n' : formatTier(tier))
        return pluginExitCode(tier.status)
      }
      if (verb === 'rightsize') {
        const sizes = await nginxService(hub, replicas).rightSize(envName, endpointId)
        io.out(
          v.json
            ? JSON.stringify(sizes, null, 2) + '\n'
            : sizes
                .map(
                  (r) =>
                    `${r.advice.toUpperCase().padEnd(6)} ${r.service}: ${r.reason}${r.advice === 'fewer' || r.advice === 'more' ? ` → ${r.replicas} replicas` : ''}\n`,
                )
                .join('') || `${envName}: no service seen behind ${endpointId} yet\n`,
        )
        return sizes.some((r) => r.advice === 'fewer' || r.advice === 'more') ? 1 : 0
      }
      const base = { environment: envName, endpointId, upstream }
      let request: ActionRequest
      switch (verb) {
        case 'scale':
          request = requestFrom('scale request', AppScaleRequest.safeParse({ ...base, kind: 'app.scale', replicas: numberFlag(arg, 'replicas') }))
          break
        case 'drain':
          request = requestFrom('drain request', AppDrainRequest.safeParse({ ...base, kind: 'app.drain', server: arg, down: !v.undo }))
          break
        case 'restart':
          request = requestFrom('restart request', AppRestartRequest.safeParse({ ...base, kind: 'app.restart' }))
          break
        case 'add-backend':
          request = requestFrom('add-backend request', NginxAddBackendRequest.safeParse({ ...base, kind: 'nginx.add-backend', server: arg, params: rest }))
          break
        case 'remove-backend':
          request = requestFrom('remove-backend request', NginxRemoveBackendRequest.safeParse({ ...base, kind: 'nginx.remove-backend', server: arg }))
          break
        default:
          throw new UsageError(`unknown app command "${verb}"`)
      }
      return runActionCommand(ctx, request, v)
    },
  }
}
