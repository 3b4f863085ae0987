import type { RedisNodeSample, RedisTimelineEvent, RedisTopology } from '../../../shared/systems/redis'
import { topologyEvents } from '../../../shared/domain/redis-topology'
import { toConnError } from '../../core/errors'
import { byEntity, flatten } from '../../core/history/entities'
import type { ServiceHub } from '../../core/service-hub'
import { clusterAccess } from './redis-client'
import { discoverCluster } from './redis-reader'

export interface TopologyUpdate {
  topology: RedisTopology
  /** What changed since the previous snapshot (empty on the first). */
  timeline: RedisTimelineEvent[]
  /** Recent samples per node id, oldest first (up to HISTORY_SAMPLES, from the hub's history store, so they outlive a restart); in the first update only. */
  history: Record<string, RedisNodeSample[]>
}

const HISTORY_SAMPLES = 120

/** Each watched cluster's last poll, by environment/endpoint: what the alert rounds and the exporter reuse while a view watches. */
const watched = (hub: ServiceHub) => hub.service('redis.watched', () => new Map<string, RedisTopology>())

/**
 * A snapshot no older than maxAgeMs: a watcher's last poll when a view is watching the cluster
 * (a large cluster is then polled once per interval, not once per reader), else a fresh read.
 */
export async function recentTopology(
  hub: ServiceHub,
  environment: string,
  endpointId: string,
  maxAgeMs: number,
): Promise<{ topology: RedisTopology; fresh: boolean }> {
  const last = watched(hub).get(`${environment}/${endpointId}`)
  if (last && Date.now() - last.checkedAt <= maxAgeMs) return { topology: last, fresh: false }
  return { topology: await readTopology(hub, environment, endpointId), fresh: true }
}

/** Read one snapshot of a cluster of a saved environment. */
export async function readTopology(hub: ServiceHub, environment: string, endpointId: string, timeoutMs?: number): Promise<RedisTopology> {
  const { connections } = await hub.connect(environment)
  const access = clusterAccess(connections, endpointId)
  return (await discoverCluster(access, { environment, ...(timeoutMs ? { timeoutMs } : {}) })).topology
}

/**
 * Polls one cluster on an interval and reports each snapshot with the changes since the last
 * (a node failing, a replica promoted, slots moving): the event timeline of the cluster view.
 * Polls never overlap; a failed poll is reported as a snapshot with the error, not thrown.
 */
export class RedisWatcher {
  last: RedisTopology | undefined
  private timer: NodeJS.Timeout | undefined
  private running = false
  private stopped = true
  private historySent = false

  constructor(
    private readonly hub: ServiceHub,
    readonly environment: string,
    readonly endpointId: string,
    private readonly onUpdate: (u: TopologyUpdate) => void,
  ) {}

  /** The stored samples of these nodes over the last HISTORY_SAMPLES polls. */
  private historyOf(ids: string[], at: number, intervalMs: number): Record<string, RedisNodeSample[]> {
    const points = byEntity(this.hub.history.read(nodesScope(this.environment, this.endpointId), at - HISTORY_SAMPLES * intervalMs))
    const history: Record<string, RedisNodeSample[]> = {}
    for (const id of ids)
      history[id] = points
        .filter((p) => id in p.entities)
        .slice(-HISTORY_SAMPLES)
        .map((p) => ({ at: p.at, opsPerSec: p.entities[id]!.ops ?? null, usedMemory: p.entities[id]!.mem ?? null, lagBytes: p.entities[id]!.lag ?? null }))
    return history
  }

  start(intervalMs: number): void {
    this.stop()
    this.stopped = false
    const tick = async () => {
      if (this.running || this.stopped) return
      this.running = true
      try {
        const topology = await readTopology(this.hub, this.environment, this.endpointId, Math.min(3000, Math.max(500, intervalMs)))
        const timeline = topologyEvents(this.last, topology)
        this.last = topology
        watched(this.hub).set(`${this.environment}/${this.endpointId}`, topology)
        recordNodes(this.hub, topology)
        if (this.live()) {
          // the stored history once, for the first paint; each later update carries its own poll only
          const history = this.historySent
            ? {}
            : this.historyOf(
                topology.nodes.map((n) => n.id),
                topology.checkedAt,
                intervalMs,
              )
          this.historySent = true
          this.onUpdate({ topology, timeline, history })
        }
      } catch (err) {
        const error = toConnError(err)
        const now = Date.now()
        const topology: RedisTopology = {
          environment: this.environment,
          endpointId: this.endpointId,
          name: this.endpointId,
          seed: null,
          clusterState: 'unknown',
          clusterInfo: {},
          features: { clusterShards: false, atomicMigration: 'none' },
          nodes: [],
          slots: [],
          masters: [],
          findings: [{ code: 'unreachable', severity: 'critical', message: error.message, nodes: [] }],
          status: error.code === 'config' ? 'unknown' : 'critical',
          reason: error.message,
          error,
          checkedAt: now,
          durationMs: 0,
        }
        if (this.live()) this.onUpdate({ topology, timeline: [], history: this.historyOf(this.last?.nodes.map((n) => n.id) ?? [], now, intervalMs) })
      } finally {
        this.running = false
      }
    }
    void tick()
    this.timer = setInterval(() => void tick(), intervalMs)
  }

  /** Read after an await: stop() may have been called meanwhile. */
  private live(): boolean {
    return !this.stopped
  }

  stop(): void {
    this.stopped = true
    clearInterval(this.timer)
    this.timer = undefined
  }
}

export const nodesScope = (environment: string, endpointId: string) => `${environment}/${endpointId}/redis-nodes`

/** One poll's per-node ops/s, memory and replica lag into the history. */
export function recordNodes(hub: ServiceHub, topology: RedisTopology): void {
  const now = Object.fromEntries(
    topology.nodes.map((n) => [
      n.id,
      { ops: n.stats?.opsPerSec ?? null, mem: n.stats?.usedMemory ?? null, lag: n.lagBytes, master: n.role === 'master' ? 1 : 0 },
    ]),
  )
  hub.history.record(nodesScope(topology.environment, topology.endpointId), topology.checkedAt, flatten(now))
}
