import type { ServiceHub } from '../../core/service-hub'
import type { ReplicaProvider } from '../../core/replicas'
import { upstreamErrorPct } from './error-log'
import { nginxSamples } from './nginx-metrics'
import { nginxService } from './nginx-service'
import { appCapacity } from './nginx-capacity'

/**
 * What the app tier tells the alert loop and the timeline each round: backends down and their
 * latency, the upstream error rate, the replicas' CPU and memory, drained backends, replica counts
 * and nginx reloads.
 */
export function observeNginx(replicas: ReplicaProvider) {
  return async (hub: ServiceHub, environment: string, endpointId: string) => {
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
        ...t.latency.map((l) => ({ endpointId, metric: 'upstream-latency-ms' as const, subject: l.upstream, value: l.p95Ms })),
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
      capacity: await appCapacity(hub, environment, endpointId, t),
    }
  }
}
