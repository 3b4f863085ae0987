import type { NodeHealth, SystemHealth } from '../../../shared/health'
import type { EndpointOf } from '../../../shared/inventory'
import type { RedisTopology } from '../../../shared/systems/redis'
import type { Connections } from '../../core/connections'
import { systemHealth, type Finding } from '../../core/system-health'
import { clusterAccess } from './redis-client'
import { discoverCluster } from './redis-reader'

type RedisEndpoint = EndpointOf<'redis-cluster'>

/** The overview card of a Redis Cluster: the same snapshot as the cluster view, rolled up. */
export async function probeRedisCluster(endpoint: RedisEndpoint, connections: Connections): Promise<SystemHealth> {
  const started = Date.now()
  const { topology } = await discoverCluster(clusterAccess(connections, endpoint.id), { environment: connections.environment.name })
  const nodes = topology.nodes.map((n): NodeHealth => toNodeHealth(topology, n))
  if (nodes.length === 0) {
    const label = endpoint.seeds.map((s) => `${s.host}:${s.port}`).join(', ')
    const error = topology.error ?? { code: 'other' as const, message: topology.reason }
    return systemHealth(endpoint, 'redis', started, [{ id: endpoint.id, label, status: 'critical', detail: error.message, error, metrics: {} }])
  }
  const findings: Finding[] = topology.findings
    .filter((f) => f.severity !== 'info' && f.code !== 'unreachable')
    .map((f) => ({ status: f.severity === 'critical' ? 'critical' : 'warn', reason: f.message }))
  return systemHealth(endpoint, 'redis', started, nodes, findings)
}

function toNodeHealth(topology: RedisTopology, n: RedisTopology['nodes'][number]): NodeHealth {
  const master = n.masterId ? topology.nodes.find((m) => m.id === n.masterId) : undefined
  const role = n.role === 'master' ? 'master' : `replica of ${master?.addr ?? n.masterId?.slice(0, 8) ?? '?'}`
  return {
    id: n.id,
    label: n.addr,
    role,
    status: n.status,
    detail: n.detail,
    ...(n.error ? { error: n.error } : {}),
    metrics: n.stats
      ? { usedMemory: n.stats.usedMemory, opsPerSec: n.stats.opsPerSec, keys: n.stats.keys, ...(n.lagBytes != null ? { lagBytes: n.lagBytes } : {}) }
      : {},
  }
}
