import type { ServiceHub } from '../../core/service-hub'
import { mongoService } from './mongo-service'
import { mongoSamples } from './mongo-metrics'
import { mongoCapacity } from '../../../shared/domain/mongo-capacity'

/** What the cluster tells the alert loop and the timeline each round: balancer, imbalance, members down and lagging, primaries, migrations. */
export async function observeMongo(hub: ServiceHub, environment: string, endpointId: string) {
  const c = await mongoService(hub).cluster(environment, endpointId)
  const members = c.replicaSets.flatMap((rs) => rs.members.map((m) => ({ ...m, rs: rs.name })))
  return {
    values: [
      { endpointId, metric: 'mongo-balancer-off' as const, subject: 'balancer', value: c.balancer.enabled ? 0 : 1 },
      ...c.collections.map((k) => ({ endpointId, metric: 'mongo-imbalance' as const, subject: k.ns, value: k.imbalance.exceeds ? 1 : 0 })),
      ...members.map((m) => ({ endpointId, metric: 'node-down' as const, subject: `${m.rs} ${m.host}`, value: m.healthy ? 0 : 1 })),
      ...members.flatMap((m) =>
        m.lagSeconds !== null ? [{ endpointId, metric: 'mongo-lag-seconds' as const, subject: `${m.rs} ${m.host}`, value: m.lagSeconds }] : [],
      ),
    ],
    facts: [
      { endpointId, subject: 'balancer', aspect: 'balancer' as const, value: c.balancer.enabled ? 'enabled' : 'stopped' },
      ...c.replicaSets.map((rs) => ({ endpointId, subject: rs.name, aspect: 'primary' as const, value: rs.primary ?? 'none' })),
    ],
    events: c.migrations.recent.map((m) => ({
      endpointId,
      at: m.endedAt ?? m.startedAt,
      kind: 'migration' as const,
      severity: m.status === 'failed' ? ('warn' as const) : ('info' as const),
      subject: m.ns,
      message: `chunk of ${m.ns} ${m.from} → ${m.to} ${m.status}${m.durationMs !== null ? ` in ${(m.durationMs / 1000).toFixed(1)} s` : ''}${m.error ? `: ${m.error}` : ''}`,
    })),
    samples: mongoSamples(c),
    capacity: mongoCapacity(c),
  }
}
