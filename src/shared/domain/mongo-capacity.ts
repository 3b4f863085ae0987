import type { CapacityGauge } from '../capacity'
import type { MongoCluster } from '../systems/mongo'
import { formatSeconds } from './units'

/**
 * The floor an oplog window should stay above: a member down (or a backup paused) for longer than
 * the window cannot catch up and needs an initial sync; a day covers a night and a weekend's
 * on-call response.
 */
export const OPLOG_WINDOW_FLOOR_S = 24 * 3600

/**
 * What runs out in a sharded cluster: each shard's databases on disk against what its fullest
 * member's filesystem can still take (every member holds a full copy, so the one with the least
 * free space fills first), and each replica set's oplog window, read on its primary, against the floor.
 */
export function mongoCapacity(c: Pick<MongoCluster, 'replicaSets'>): CapacityGauge[] {
  const gauges: CapacityGauge[] = []
  for (const rs of c.replicaSets) {
    const withDisk = rs.members.filter((m) => m.disk !== null && !m.arbiter)
    const fullest = withDisk.sort((a, b) => a.disk!.totalBytes - a.disk!.usedBytes - (b.disk!.totalBytes - b.disk!.usedBytes))[0]
    if (rs.role === 'shard' && fullest?.disk) {
      const free = Math.max(0, fullest.disk.totalBytes - fullest.disk.usedBytes)
      gauges.push({
        kind: 'mongo-shard-data',
        subject: rs.shard ?? rs.name,
        value: fullest.disk.dataBytes,
        limit: fullest.disk.dataBytes + free,
        limitLabel: `the free disk of ${fullest.host}`,
        unit: 'bytes',
      })
    }
    const primary = rs.members.find((m) => m.host === rs.primary)
    if (primary?.oplog)
      gauges.push({
        kind: 'mongo-oplog-window',
        subject: rs.name,
        value: Math.max(0, (primary.oplog.lastAt - primary.oplog.firstAt) / 1000),
        limit: OPLOG_WINDOW_FLOOR_S,
        limitLabel: formatSeconds(OPLOG_WINDOW_FLOOR_S),
        unit: 'seconds',
        direction: 'down',
      })
  }
  return gauges
}
