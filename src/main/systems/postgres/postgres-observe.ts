import type { ServiceHub } from '../../core/service-hub'
import { bouncerSamples, pgSamples } from './postgres-metrics'
import type { CapacityGauge } from '../../../shared/capacity'
import { postgresCapacity } from './postgres-capacity'
import { postgresService } from './postgres-service'

/** Capacity changes slowly and its read runs df over SSH: once every 30 s per endpoint is enough. */
const CAPACITY_EVERY_MS = 30_000

/** What PostgreSQL tells the alert loop and the timeline each round (nodes down, standby lag in bytes and seconds, roles), or a pgbouncer (reachable, its databases). */
export async function observePostgres(hub: ServiceHub, environment: string, endpointId: string) {
  const service = postgresService(hub)
  const kind = (await hub.inventory.get(environment)).endpoints.find((e) => e.id === endpointId)?.kind
  if (kind === 'pgbouncer') {
    const b = await service.bouncer(environment, endpointId)
    return {
      values: [{ endpointId, metric: 'node-down' as const, subject: b.name, value: b.error ? 1 : 0 }],
      facts: b.databases.map((d) => ({
        endpointId,
        subject: `${b.name}/${d.name}`,
        aspect: 'role' as const,
        value: `${d.host ?? ''}:${d.port ?? ''}${d.paused ? ' paused' : ''}`,
      })),
      samples: bouncerSamples(b),
    }
  }
  const t = await service.topology(environment, endpointId)
  const cache = hub.service('pg-capacity', () => new Map<string, { at: number; gauges: CapacityGauge[] }>())
  let cached = cache.get(`${environment}/${endpointId}`)
  if (!cached || Date.now() - cached.at > CAPACITY_EVERY_MS) {
    const { endpoint, connections } = await service.resolve(environment, endpointId)
    cached = { at: Date.now(), gauges: await postgresCapacity(endpoint, connections, t) }
    cache.set(`${environment}/${endpointId}`, cached)
  }
  return {
    capacity: cached.gauges,
    values: [
      ...t.nodes.map((n) => ({ endpointId, metric: 'node-down' as const, subject: n.name, value: n.error ? 1 : 0 })),
      ...t.standbys.flatMap((s) => [
        ...(s.bytes !== null ? [{ endpointId, metric: 'pg-lag-bytes' as const, subject: s.standby, value: s.bytes }] : []),
        ...(s.seconds !== null ? [{ endpointId, metric: 'pg-lag-seconds' as const, subject: s.standby, value: s.seconds }] : []),
      ]),
    ],
    facts: t.nodes.map((n) => ({ endpointId, subject: n.name, aspect: 'role' as const, value: n.role })),
    samples: pgSamples(t),
  }
}
