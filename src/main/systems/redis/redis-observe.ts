import type { CapacityGauge } from '../../../shared/capacity'
import { formatBytes } from '../../../shared/domain/units'
import type { RedisTopology } from '../../../shared/systems/redis'
import type { ServiceHub } from '../../core/service-hub'
import { migrationStore } from './actions/index'
import { redisSamples } from './redis-metrics'
import { countSlots } from '../../../shared/domain/slots'
import { recentTopology, recordNodes } from './redis-watch'

/** What the cluster tells the alert loop and the timeline each round, from the watcher's recent topology: nodes down, unserved slots, replica lag, roles and slot counts. */
export async function observeRedis(hub: ServiceHub, environment: string, endpointId: string) {
  const intervalMs = (await hub.settings.get()).refreshIntervalMs
  const [{ topology: t, fresh }, migration] = await Promise.all([
    recentTopology(hub, environment, endpointId, intervalMs),
    migrationStore(hub).unfinished(environment, endpointId),
  ])
  if (t.nodes.length === 0) throw new Error(t.reason)
  if (fresh) recordNodes(hub, t)
  const down = (n: (typeof t.nodes)[number]) => !!n.error || n.flags.includes('fail')
  // slots nobody serves now: uncovered, open, or owned by a master that is down (until a replica takes over)
  const unserved = t.nodes.filter((n) => n.role === 'master' && down(n)).reduce((a, n) => a + countSlots(n.slots), 0)
  const trouble = t.findings.filter((f) => f.code === 'uncovered-slots' || f.code === 'open-slots').length
  const fact = (subject: string, aspect: 'role' | 'slots' | 'state', value: string) => ({ endpointId, subject, aspect, value })
  return {
    values: [
      { endpointId, metric: 'redis-slots' as const, subject: 'cluster', value: unserved + trouble },
      ...t.nodes.map((n) => ({ endpointId, metric: 'node-down' as const, subject: n.addr, value: down(n) ? 1 : 0 })),
      ...t.nodes.flatMap((n) =>
        n.role === 'replica' && n.lagBytes !== null ? [{ endpointId, metric: 'redis-lag-bytes' as const, subject: n.addr, value: n.lagBytes }] : [],
      ),
    ],
    facts: [
      fact('cluster', 'state', t.clusterState),
      ...t.nodes.map((n) => fact(n.addr, 'role', n.role)),
      ...t.nodes.filter((n) => n.role === 'master' && !down(n)).map((n) => fact(n.addr, 'slots', String(countSlots(n.slots)))),
    ],
    samples: redisSamples(t, migration),
    capacity: redisCapacity(t),
  }
}

/** Percent above its even share of slots from which a master's memory card offers a rebalance. */
const REBALANCE_FIX_PCT = 5

/**
 * Each node's memory against maxmemory — as Redis counts it there, without the replication and AOF
 * buffers (evict.c: getMaxmemoryState subtracts freeMemoryGetNotCountedMemory) — or, with no
 * maxmemory, all of it against the host's memory.
 */
export function redisCapacity(t: RedisTopology): CapacityGauge[] {
  // a master holding more than its share of slots gives some away to the others: a rebalance is its fix
  const overShare = new Set(t.masters.filter((m) => m.imbalancePct > REBALANCE_FIX_PCT && t.masters.length > 1).map((m) => m.addr))
  return t.nodes.flatMap((n) => {
    const s = n.stats
    if (!s) return []
    const capped = s.maxmemory > 0
    const limit = capped ? s.maxmemory : (s.totalSystemMemory ?? 0)
    if (limit <= 0) return []
    const value = capped ? Math.max(0, s.usedMemory - (s.memNotCountedForEvict ?? 0)) : s.usedMemory
    const limitLabel = capped ? `maxmemory (${formatBytes(s.maxmemory)})` : `the host's memory (${formatBytes(limit)}, no maxmemory)`
    const fix = overShare.has(n.addr) ? { fix: { label: 'Rebalance slots evenly', request: { kind: 'redis.rebalance' } } } : {}
    return [{ kind: 'redis-memory' as const, subject: n.addr, value, limit, limitLabel, unit: 'bytes' as const, ...fix }]
  })
}
