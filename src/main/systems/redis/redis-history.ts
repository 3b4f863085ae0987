import type { RedisHistory } from '../../../shared/systems/redis'
import { entitiesOf, inRole, maxSeries, topSeries } from '../../../shared/domain/series-top'
import { sinceOf } from '../../core/history/entities'
import { endpointSelector, readHistory, type PromField } from '../../core/history/prometheus-history'
import type { ServiceHub } from '../../core/service-hub'
import { nodesScope, recentTopology } from './redis-watch'

/** Points per chart: a 120-node cluster over 30 days stays a few hundred kilobytes. */
const POINTS = 500
/** Masters drawn on their own; the rest are one "others" band. */
const TOP_MASTERS = 8
const SNAPSHOT_MAX_AGE_MS = 10_000

/**
 * A cluster's load, memory and replica lag over a range. Series are keyed by node id (as the app's
 * own store records them); Prometheus's, labelled by instance address, are mapped onto the ids of
 * the nodes there now. Each node counts as a master at the steps it was one (the `master` field the
 * store records, redis_instance_info's role from Prometheus), so a failover inside the range moves a
 * master's load to its successor at the moment it happened.
 */
export async function redisHistory(hub: ServiceHub, environment: string, endpointId: string, sinceMs?: number): Promise<RedisHistory> {
  const [{ environment: env }, { topology }] = await Promise.all([hub.connect(environment), recentTopology(hub, environment, endpointId, SNAPSHOT_MAX_AGE_MS)])
  const idOf = new Map(topology.nodes.map((n) => [n.addr, n.id]))
  const at = endpointSelector(env, endpointId)
  const masterThen = `and on(instance) redis_instance_info{${at},role="master"}`
  const perNode =
    (field: string) =>
    (labels: Record<string, string>): string | null =>
      labels.instance ? `${idOf.get(labels.instance) ?? labels.instance}.${field}` : null
  const fields: PromField[] = [
    // Prometheus is asked only for nodes that were masters at each step, which keeps a big cluster's reply small
    { query: `redis_instantaneous_ops_per_sec{${at}} ${masterThen}`, field: perNode('ops') },
    { query: `redis_memory_used_bytes{${at}} ${masterThen}`, field: perNode('mem') },
    { query: `switchyard_redis_replica_lag_bytes{${at}}`, field: perNode('lag') },
    { query: `redis_instance_info{${at},role="master"} or 0 * redis_instance_info{${at},role!="master"}`, field: perNode('master') },
  ]
  const { points, source } = await readHistory(hub.history, env, nodesScope(environment, endpointId), fields, sinceOf(sinceMs), Date.now(), POINTS)
  const rows = points.map((p) => p.values)
  const ids = [...new Set([...topology.nodes.map((n) => n.id), ...entitiesOf(rows)])]
  const addrOf = new Map(topology.nodes.map((n) => [n.id, n.addr]))
  const mastersNow = new Set(topology.nodes.filter((n) => n.role === 'master').map((n) => n.id))
  const masterNow = (id: string) => mastersNow.has(id)
  const asMaster = inRole(rows, ids, ['ops', 'mem'], true, masterNow)
  const members = (field: string) => ids.map((id) => ({ key: `${id}.${field}`, name: addrOf.get(id) ?? id }))
  const others = (n: number) => `${n} other master${n === 1 ? '' : 's'}`
  return {
    at: points.map((p) => p.at),
    ops: topSeries(asMaster, members('ops'), TOP_MASTERS, others),
    memory: topSeries(asMaster, members('mem'), TOP_MASTERS, others),
    maxLagBytes: maxSeries(
      inRole(rows, ids, ['lag'], false, masterNow),
      ids.map((id) => `${id}.lag`),
    ),
    source,
  }
}
