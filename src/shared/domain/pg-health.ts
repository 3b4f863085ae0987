import type { HealthStatus } from '../health'
import type { PgFinding, PgNodeHealth } from '../systems/postgres'
import { gradeHigh, worstStatus } from './health'
import { formatSeconds } from './units'

/** Transaction ids wrap around at 2^31; autovacuum must freeze long before. */
export const XID_WRAP_LIMIT = 2 ** 31

export const HEALTH_THRESHOLDS = {
  /** Share of max_connections (minus reserved superuser slots) in use. */
  connections: { warn: 0.8, critical: 0.95 },
  longestQuerySeconds: { warn: 300, critical: 1800 },
  /** Idle-in-transaction or long transactions hold back vacuum and keep locks. */
  longestTransactionSeconds: { warn: 600, critical: 3600 },
  lockWaitSeconds: { warn: 30, critical: 300 },
  /** Fraction of the way to wraparound for the oldest datfrozenxid. */
  xidFraction: { warn: 0.5, critical: 0.75 },
  /** Below this cache hit ratio (with enough reads to mean something) is a warning. */
  cacheHitWarn: 0.9,
  cacheMinBlocks: 10_000,
  /** Share of checkpoints forced by WAL volume instead of the timer. */
  requestedCheckpointShare: 0.5,
} as const

export type NodeHealthReadings = Omit<PgNodeHealth, 'findings' | 'status'> & { cacheBlocks?: number }

/** What is wrong with one node, most serious first in meaning, and its overall status. */
export function gradeNodeHealth(h: NodeHealthReadings): { findings: PgFinding[]; status: HealthStatus } {
  const f: PgFinding[] = []
  const T = HEALTH_THRESHOLDS
  if (h.role === 'down') {
    f.push({ status: 'critical', reason: `${h.name} is down${h.error ? `: ${h.error.message}` : ''}` })
    return { findings: f, status: 'critical' }
  }
  const c = h.connections
  if (c) {
    const usable = Math.max(1, c.max - c.reserved)
    const share = c.total / usable
    const s = gradeHigh(share, T.connections)
    if (s !== 'ok') f.push({ status: s, reason: `${c.total} of ${usable} usable connections in use (${Math.round(share * 100)}%)` })
  }
  const q = h.longestQuery
  if (q) {
    const s = gradeHigh(q.seconds, T.longestQuerySeconds)
    if (s !== 'ok') f.push({ status: s, reason: `query running ${formatSeconds(q.seconds)} (pid ${q.pid})` })
  }
  const tx = h.longestTransaction
  if (tx) {
    const s = gradeHigh(tx.seconds, T.longestTransactionSeconds)
    if (s !== 'ok')
      f.push({ status: s, reason: `transaction open ${formatSeconds(tx.seconds)}${tx.state === 'idle in transaction' ? ' and idle' : ''} (pid ${tx.pid})` })
  }
  const longestWait = Math.max(0, ...h.lockWaits.map((w) => w.seconds))
  if (h.lockWaits.length > 0) {
    const s = gradeHigh(longestWait, T.lockWaitSeconds)
    if (s !== 'ok') f.push({ status: s, reason: `${h.lockWaits.length} session(s) waiting on locks, longest ${formatSeconds(longestWait)}` })
  }
  if (h.cacheHitRatio != null && (h.cacheBlocks ?? Infinity) >= T.cacheMinBlocks && h.cacheHitRatio < T.cacheHitWarn)
    f.push({ status: 'warn', reason: `cache hit ratio ${(h.cacheHitRatio * 100).toFixed(1)}%` })
  const x = h.xidWraparound
  if (x) {
    const s = gradeHigh(x.fraction, T.xidFraction)
    if (s !== 'ok')
      f.push({ status: s, reason: `database ${x.database} is ${Math.round(x.fraction * 100)}% of the way to xid wraparound (age ${x.age}); vacuum freeze it` })
  }
  const cp = h.checkpoints
  if (cp && cp.timed + cp.requested >= 10 && cp.requested / (cp.timed + cp.requested) > T.requestedCheckpointShare)
    f.push({ status: 'warn', reason: `${cp.requested} of ${cp.timed + cp.requested} checkpoints were forced by WAL volume; consider a larger max_wal_size` })
  return { findings: f, status: worstStatus([...f.map((x) => x.status), 'ok']) }
}

/** Shown instead of top statements when pg_stat_statements cannot be read. */
export function statementsHint(preloaded: boolean, installed: boolean, database: string): string | undefined {
  if (!preloaded) return 'pg_stat_statements is not loaded: add it to shared_preload_libraries (needs a restart), then CREATE EXTENSION pg_stat_statements'
  if (!installed) return `pg_stat_statements is loaded but not installed in database ${database}: run CREATE EXTENSION pg_stat_statements there`
  return undefined
}
