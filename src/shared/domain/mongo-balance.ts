import type { BalancerWindow, MongoImbalance, MongoMember } from '../systems/mongo'

/** Server version "7.0.14" at least major.minor.patch. */
export function versionAtLeast(version: string, major: number, minor = 0, patch = 0): boolean {
  const [a = 0, b = 0, c = 0] = version.split('.').map((x) => Number.parseInt(x, 10) || 0)
  return a !== major ? a > major : b !== minor ? b > minor : c >= patch
}

/**
 * When the balancer starts migrating. From 6.0.3 it compares data size: a collection is balanced
 * while its most and least loaded shards differ by less than three times the range (chunk) size.
 * Before that it compared chunk counts with a threshold that grows with the collection.
 */
export function migrationThreshold(metric: 'bytes' | 'chunks', chunkSizeMB: number, totalChunks: number): number {
  if (metric === 'bytes') return 3 * chunkSizeMB * 1024 * 1024
  return totalChunks < 20 ? 2 : totalChunks < 80 ? 4 : 8
}

/** Spread across the shards that can take data (draining shards excluded, empty ones counted as 0). */
export function imbalanceOf(
  loads: readonly { shard: string; value: number }[],
  activeShards: readonly string[],
  metric: 'bytes' | 'chunks',
  threshold: number,
): MongoImbalance {
  const by = new Map(activeShards.map((s) => [s, 0]))
  for (const l of loads) if (by.has(l.shard)) by.set(l.shard, by.get(l.shard)! + l.value)
  const sorted = [...by].sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]))
  if (!sorted.length) return { metric, spread: 0, threshold, exceeds: false, heaviest: null, lightest: null }
  const spread = sorted[sorted.length - 1]![1] - sorted[0]![1]
  return { metric, spread, threshold, exceeds: spread >= threshold, heaviest: sorted[sorted.length - 1]![0], lightest: sorted[0]![0] }
}

const minutes = (hhmm: string) => {
  const [h = 0, m = 0] = hhmm.split(':').map(Number)
  return h * 60 + m
}

/** Whether a balancer active window (server local time; may wrap past midnight) is open at hh:mm. */
export function windowOpen(window: BalancerWindow | null, hour: number, minute: number): boolean {
  if (!window) return true
  const t = hour * 60 + minute
  const [a, b] = [minutes(window.start), minutes(window.stop)]
  if (a === b) return true
  return a < b ? t >= a && t < b : t >= a || t < b
}

/** replSetStepDown's period: at least the catch-up period plus an election timeout, and MongoDB's own default of 60 s. */
export function stepDownSecsFor(catchUpSecs: number, electionTimeoutMs: number): number {
  return Math.max(60, catchUpSecs + Math.ceil(electionTimeoutMs / 1000) + 5)
}

/** A secondary mongod would elect in a step-down: healthy, electable and caught up within catch-up seconds. */
export function electableSecondaries(members: readonly MongoMember[], catchUpSecs: number): MongoMember[] {
  return members.filter(
    (m) =>
      m.healthy &&
      m.state === 'SECONDARY' &&
      m.priority > 0 &&
      !m.hidden &&
      m.delaySecs === 0 &&
      !m.arbiter &&
      m.lagSeconds !== null &&
      m.lagSeconds <= catchUpSecs,
  )
}

/** The server's balance verdict (balancerCollectionStatus's firstComplianceViolation) in words. */
export function verdictText(verdict: { compliant: boolean; violation: string | null } | null): string {
  if (!verdict) return 'not asked'
  if (verdict.compliant) return 'balanced'
  switch (verdict.violation) {
    case 'chunksImbalance':
      return 'data imbalanced'
    case 'draining':
      return 'a shard is draining'
    case 'zoneViolation':
      return 'chunks outside their zone'
    case 'defragmentingChunks':
      return 'defragmenting'
    default:
      return verdict.violation ?? 'not balanced'
  }
}
