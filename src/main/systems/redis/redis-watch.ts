import type { RedisNodeSample, RedisTimelineEvent, RedisTopology } from '../../../shared/systems/redis'
import { topologyEvents } from '../../../shared/domain/redis-topology'
import { toConnError } from '../../core/errors'
import type { ServiceHub } from '../../core/service-hub'
import { clusterAccess } from './redis-access'
import { discoverCluster } from './redis-discovery'

export interface TopologyUpdate {
  topology: RedisTopology
  /** What changed since the previous snapshot (empty on the first). */
  timeline: RedisTimelineEvent[]
  /** Recent samples per node id, oldest first (up to HISTORY_SAMPLES). */
  history: Record<string, RedisNodeSample[]>
}

const HISTORY_SAMPLES = 120

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
  private readonly history = new Map<string, RedisNodeSample[]>()
  private timer: NodeJS.Timeout | undefined
  private running = false
  private stopped = true

  constructor(
    private readonly hub: ServiceHub,
    readonly environment: string,
    readonly endpointId: string,
    private readonly onUpdate: (u: TopologyUpdate) => void,
  ) {}

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
        const seen = new Set<string>()
        for (const n of topology.nodes) {
          seen.add(n.id)
          const list = this.history.get(n.id) ?? []
          list.push({ at: topology.checkedAt, opsPerSec: n.stats?.opsPerSec ?? null, usedMemory: n.stats?.usedMemory ?? null, lagBytes: n.lagBytes })
          if (list.length > HISTORY_SAMPLES) list.splice(0, list.length - HISTORY_SAMPLES)
          this.history.set(n.id, list)
        }
        for (const id of this.history.keys()) if (!seen.has(id)) this.history.delete(id)
        if (this.live()) this.onUpdate({ topology, timeline, history: Object.fromEntries(this.history) })
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
        if (this.live()) this.onUpdate({ topology, timeline: [], history: Object.fromEntries(this.history) })
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
