import type { ScalingPolicy } from '../autoscale'
import type { AppTier } from '../systems/nginx'
import type { ReplicaGroup } from '../systems/docker'
import { meanOf } from './percentile'
import type { MetricSample } from './autoscale-eval'

/** What one read of the app tier says about the service behind a policy's upstream. */
export interface ServiceReading {
  service: string | null
  /** Replicas running now. */
  replicas: number
  sample: MetricSample
  /** Why acting now would be wrong whatever the metrics say (backends failing, replicas missing), or null. */
  unhealthy: string | null
}

/** A service's load per running replica: the mean of their docker stats, and how many run. */
export function replicaLoad(group: ReplicaGroup): { cpu: number | null; memory: number | null; replicas: number } {
  const running = group.replicas.filter((r) => r.running)
  return { cpu: meanOf(running.map((r) => r.cpuPct)), memory: meanOf(running.map((r) => r.memPct)), replicas: running.length }
}

/**
 * The service's metrics per replica, from the app tier as its page shows it: the mean CPU and
 * memory of its running replicas (docker stats), the upstream's request rate (from nginx's access
 * log, or all of nginx's from stub_status without one) shared out over them, and the upstream's
 * p95 response time from the access log.
 */
export function readService(tier: AppTier, policy: Pick<ScalingPolicy, 'upstream'>): ServiceReading {
  const upstream = tier.upstreams.find((u) => u.name === policy.upstream)
  const group = upstream ? tier.groups.find((g) => g.key === upstream.group) : undefined
  const at = tier.checkedAt
  if (!upstream || !group)
    return {
      service: null,
      replicas: 0,
      sample: { at, values: {} },
      unhealthy: upstream ? null : `nginx has no upstream ${policy.upstream}`,
    }
  const load = replicaLoad(group)
  const failing = upstream.backends.filter((b) => !b.down && !b.backup && b.health === 'critical')
  // the upstream's own requests when nginx logs them; nginx's total from stub_status otherwise
  const logged = tier.latency.find((l) => l.upstream === policy.upstream)
  const rps = tier.latencyLog.path ? (logged ? logged.requests / logged.windowS : 0) : (tier.stub?.requestsPerSec ?? null)
  return {
    service: group.key,
    replicas: load.replicas,
    sample: {
      at,
      values: {
        cpu: load.cpu,
        memory: load.memory,
        'requests-per-replica': rps === null || !load.replicas ? null : rps / load.replicas,
        'p95-latency': tier.latency.find((l) => l.upstream === policy.upstream)?.p95Ms ?? null,
      },
    },
    unhealthy: failing.length
      ? `${failing.length} backend(s) of ${policy.upstream} failing: ${failing.map((b) => `${b.address} (${b.probe.error ?? `HTTP ${b.probe.status}`})`).join(', ')}`
      : group.running < group.desired
        ? `${group.name} runs ${group.running} of ${group.desired} replicas`
        : null,
  }
}
