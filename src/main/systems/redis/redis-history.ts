import type { RedisHistory } from '../../../shared/systems/redis'
import { maxSeries, topSeries } from '../../../shared/domain/series-top'
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
 * the nodes there now. Masters are the nodes that are masters now (Prometheus is asked only for
 * nodes that were masters at each step, which keeps a big cluster's reply small).
 */
export async function redisHistory(hub: ServiceHub, environment: string, endpointId: string, sinceMs?: number): Promise<RedisHistory> {
  const [{ environment: env }, { topology }] = await Promise.all([hub.connect(environment), recentTopology(hub, environment, endpointId, SNAPSHOT_MAX_AGE_MS)])
  const idOf = new Map(topology.nodes.map((n) => [n.addr, n.id]))
  const at = endpointSelector(env, endpointId)
  const masterNow = `and on(instance) redis_instance_info{${at},role="master"}`
  const perNode =
    (field: string) =>
    (labels: Record<string, string>): string | null =>
      labels.instance ? `${idOf.get(labels.instance) ?? labels.instance}.${field}` : null
  const fields: PromField[] = [
    { query: `redis_instantaneous_ops_per_sec{${at}} ${masterNow}`, field: perNode('ops') },
    { query: `redis_memory_used_bytes{${at}} ${masterNow}`, field: perNode('mem') },
    { query: `switchyard_redis_replica_lag_bytes{${at}}`, field: perNode('lag') },
  ]
  const { points, source } = await readHistory(hub.history, env, nodesScope(environment, endpointId), fields, sinceOf(sinceMs), Date.now(), POINTS)
  const rows = points.map((p) => p.values)
  const masters = topology.nodes.filter((n) => n.role === 'master')
  const members = (field: string) => masters.map((m) => ({ key: `${m.id}.${field}`, name: m.addr }))
  const others = (n: number) => `${n} other master${n === 1 ? '' : 's'}`
  const replicaLags = topology.nodes.filter((n) => n.role === 'replica').map((n) => `${n.id}.lag`)
  return {
    at: points.map((p) => p.at),
    ops: topSeries(rows, members('ops'), TOP_MASTERS, others),
    memory: topSeries(rows, members('mem'), TOP_MASTERS, others),
    maxLagBytes: maxSeries(rows, replicaLags),
    source,
  }
}
