import { defineSystem, needingAttention } from '../../core/system-module'
import { nginxConditions } from './nginx-conditions'
import type { ReplicaProvider } from '../../core/replicas'
import { nginxActions } from './nginx-actions'
import { nginxCli } from './nginx-cli'
import { upstreamErrorPct } from './error-log'
import { MOMENT_POINTS, momentSeries } from '../../core/history/moments'
import { nginxService } from './nginx-service'
import { probeNginx } from './overview-probe'
import { nginxSamples } from './nginx-metrics'

/** nginx as the front of the app tier; the replicas behind it come from the provider the registry hands in. */
export function nginxSystem(replicas: ReplicaProvider) {
  const actions = nginxActions(replicas)
  return defineSystem({
    id: 'nginx',
    label: 'App tier',
    endpointKinds: ['nginx'],
    probe: probeNginx,
    handlers: (hub) => {
      const service = nginxService(hub, replicas)
      return {
        'app:tier': (input) => service.tier(input.name, input.endpointId),
        'app:stub-history': (input) => service.stubHistory(input.name, input.endpointId, input.sinceMs),
      }
    },
    actions: () => actions,
    cli: nginxCli(replicas),
    conditions: nginxConditions(replicas),
    findings: async (hub, environment, endpointId) => needingAttention((await nginxService(hub, replicas).tier(environment, endpointId)).findings),
    observe: async (hub, environment, endpointId) => {
      const t = await nginxService(hub, replicas).tier(environment, endpointId)
      const all = t.upstreams.flatMap((u) => u.backends.map((b) => ({ ...b, subject: `${u.name} ${b.address}` })))
      const backends = all.filter((b) => !b.down)
      const errorPct = upstreamErrorPct(t.failures, t.stub?.requestsPerSec ?? null, t.checkedAt)
      return {
        values: [
          ...backends.map((b) => ({ endpointId, metric: 'backend-down' as const, subject: b.subject, value: b.health === 'critical' ? 1 : 0 })),
          ...backends.flatMap((b) =>
            b.probe.latencyMs !== null ? [{ endpointId, metric: 'backend-latency-ms' as const, subject: b.subject, value: b.probe.latencyMs }] : [],
          ),
          ...(errorPct !== null ? [{ endpointId, metric: 'upstream-error-pct' as const, subject: 'nginx', value: errorPct }] : []),
          ...t.containers.flatMap((c) => [
            ...(c.cpuPct !== null ? [{ endpointId, metric: 'container-cpu-pct' as const, subject: c.name, value: c.cpuPct }] : []),
            ...(c.memPct !== null ? [{ endpointId, metric: 'container-mem-pct' as const, subject: c.name, value: c.memPct }] : []),
          ]),
        ],
        facts: [
          ...all.map((b) => ({
            endpointId,
            subject: b.subject,
            aspect: 'backend' as const,
            value: b.down ? 'drained' : b.health === 'critical' ? 'down' : 'up',
          })),
          ...t.upstreams.map((u) => ({ endpointId, subject: `upstream ${u.name}`, aspect: 'replicas' as const, value: String(u.backends.length) })),
        ],
        events: t.reloads.map((r) => ({
          endpointId,
          at: r.at,
          kind: 'reload' as const,
          severity: 'info' as const,
          subject: 'nginx',
          message: `nginx: ${r.message}`,
        })),
        samples: nginxSamples(t),
      }
    },
    moments: async (hub, environment, endpointId, from, to) => {
      const { points } = await nginxService(hub, replicas).stubPoints(environment, endpointId, from, to, MOMENT_POINTS)
      return [
        momentSeries(points, 'nginx requests/s', 'req/s', (v) => v.requestsPerSec ?? null),
        momentSeries(points, 'nginx active connections', 'connections', (v) => v.active ?? null),
      ]
    },
  })
}
