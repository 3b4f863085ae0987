import type {
  MongoBalancer,
  MongoCollectionBalance,
  MongoFinding,
  MongoJumboChunk,
  MongoMember,
  MongoMigration,
  MongoReplicaSet,
  MongoShard,
} from '../systems/mongo'
import { formatBytes, formatSeconds } from './units'

export interface MongoFindingInput {
  balancer: MongoBalancer
  collections: readonly MongoCollectionBalance[]
  jumbo: readonly MongoJumboChunk[]
  replicaSets: readonly MongoReplicaSet[]
  shards: readonly MongoShard[]
  recentMigrations: readonly MongoMigration[]
  now: number
}

export const MONGO_LAG = { warnSeconds: 10, criticalSeconds: 60 }
/** A drain running longer than this is worth a look (jumbo chunks or databases left to move). */
export const LONG_DRAIN_MS = 3600_000
const RECENT_FAILURE_MS = 3600_000

const spreadText = (c: MongoCollectionBalance) =>
  c.imbalance.metric === 'bytes'
    ? `${formatBytes(c.imbalance.spread)} between ${c.imbalance.heaviest ?? '?'} and ${c.imbalance.lightest ?? '?'} (migration threshold ${formatBytes(c.imbalance.threshold)})`
    : `${c.imbalance.spread} chunks between ${c.imbalance.heaviest ?? '?'} and ${c.imbalance.lightest ?? '?'} (migration threshold ${c.imbalance.threshold})`

/**
 * Member states that hold data but do not serve it, in a DBA's words (replica set member states,
 * https://www.mongodb.com/docs/manual/reference/replica-states/).
 */
const NOT_SERVING: Record<string, string> = {
  STARTUP: 'is starting up: it has not loaded the set configuration yet',
  RECOVERING: 'is recovering: not readable (maintenance, a rollback follow-up, or too stale to catch up)',
  ROLLBACK: 'is rolling back writes the set did not keep: not readable until it finishes',
  REMOVED: 'was removed from the set configuration but still runs',
}

/** A member that does its part: healthy and a primary, a secondary or an arbiter. */
export const memberServes = (m: MongoMember): boolean => m.healthy && (m.state === 'PRIMARY' || m.state === 'SECONDARY' || m.state === 'ARBITER')

/** "is in initial sync (STARTUP2): 43 % copied (1.2 GiB of 2.8 GiB), about 20 min left, attempt 2 after 1 failed; …" */
export function initialSyncText(m: MongoMember): string {
  const p = m.initialSync
  const parts: string[] = []
  if (p?.percent != null)
    parts.push(
      `${Math.floor(p.percent)} % copied${p.copiedBytes !== null && p.totalBytes !== null ? ` (${formatBytes(p.copiedBytes)} of ${formatBytes(p.totalBytes)})` : ''}`,
    )
  if (p?.remainingMs != null) parts.push(`about ${formatSeconds(p.remainingMs / 1000)} left`)
  if (p && p.attempt > 1) parts.push(`attempt ${p.attempt} after ${p.failedAttempts} failed`)
  return `is in initial sync (STARTUP2)${parts.length ? `: ${parts.join(', ')}` : ''}; not readable and not a candidate until the copy finishes`
}

const notServingText = (m: MongoMember): string | undefined => (m.state === 'STARTUP2' ? initialSyncText(m) : NOT_SERVING[m.state])

/** What a DBA should look at in a sharded cluster, each with the action that fixes it where there is one. */
export function mongoFindings(x: MongoFindingInput): MongoFinding[] {
  const out: MongoFinding[] = []
  const { balancer } = x
  if (!balancer.enabled)
    out.push({
      status: 'warn',
      code: 'balancer-off',
      reason: 'the balancer is off: chunks stay where they are',
      fix: { label: 'Start the balancer', request: { kind: 'mongo.balancer', enable: true } },
    })

  for (const c of x.collections.filter((k) => k.imbalance.exceeds)) {
    if (c.noBalance) out.push({ status: 'warn', code: 'imbalance', reason: `${c.ns} is imbalanced, ${spreadText(c)}, and balancing is disabled for it` })
    else if (!balancer.enabled)
      out.push({
        status: 'warn',
        code: 'imbalance',
        reason: `${c.ns} is imbalanced, ${spreadText(c)}`,
        fix: { label: 'Start the balancer', request: { kind: 'mongo.balancer', enable: true } },
      })
    else if (!balancer.inWindow)
      out.push({
        status: 'warn',
        code: 'imbalance-outside-window',
        reason: `${c.ns} is imbalanced, ${spreadText(c)}, and the balancer window ${balancer.window?.start ?? ''}–${balancer.window?.stop ?? ''} is closed`,
        fix: { label: 'Clear the balancer window', request: { kind: 'mongo.balancer-window', window: null } },
      })
    else out.push({ status: 'ok', code: 'imbalance', reason: `${c.ns} is imbalanced, ${spreadText(c)}; the balancer is evening it out` })
  }

  const jumboByNs = new Map<string, MongoJumboChunk[]>()
  for (const j of x.jumbo) jumboByNs.set(j.ns, [...(jumboByNs.get(j.ns) ?? []), j])
  for (const [ns, list] of jumboByNs)
    out.push({
      status: 'warn',
      code: 'jumbo-chunks',
      reason: `${list.length} jumbo chunk(s) in ${ns} (on ${[...new Set(list.map((j) => j.shard))].join(', ')}), the first from ${list[0]!.min}: the balancer will not move them`,
      // The bound is in the reason: a label that long would be cut off on its button.
      fix: {
        label: `Split the ${list.length > 1 ? 'first ' : ''}jumbo chunk (clears its flag)`,
        request: { kind: 'mongo.clear-jumbo', ns, min: list[0]!.min, split: true },
      },
    })

  for (const rs of x.replicaSets) {
    if (rs.error) {
      out.push({ status: 'critical', code: 'member-down', reason: `${rs.name}: no member answers (${rs.error.message})` })
      continue
    }
    if (!rs.primary) out.push({ status: 'critical', code: 'no-primary', reason: `${rs.name} has no primary: writes to it fail until an election completes` })
    const primary = rs.members.find((m) => m.host === rs.primary)
    const window = primary?.oplog ? (primary.oplog.lastAt - primary.oplog.firstAt) / 1000 : null
    for (const m of rs.members) {
      if (!m.healthy) {
        out.push({
          status: 'warn',
          code: 'member-down',
          reason: `${rs.name}: ${m.host} ${m.state === 'DOWN' ? 'is down: the other members cannot reach it' : m.state === 'UNKNOWN' ? 'has not answered a heartbeat yet: the set does not know its state' : `is ${m.state.toLowerCase()}`}${m.error ? ` (${m.error.message})` : ''}`,
        })
        continue
      }
      const notServing = notServingText(m)
      if (notServing) out.push({ status: 'warn', code: 'member-not-serving', reason: `${rs.name}: ${m.host} ${notServing}` })
      if (m.lagSeconds === null || m.host === rs.primary) continue
      const lag = m.lagSeconds - m.delaySecs
      if (window !== null && lag > window)
        out.push({
          status: 'critical',
          code: 'member-beyond-oplog',
          reason: `${rs.name}: ${m.host} is ${formatSeconds(lag)} behind but the primary's oplog covers only ${formatSeconds(window)}: it can no longer catch up and needs an initial sync`,
        })
      else if (lag >= MONGO_LAG.warnSeconds)
        out.push({
          status: lag >= MONGO_LAG.criticalSeconds ? 'critical' : 'warn',
          code: 'member-lagging',
          reason: `${rs.name}: ${m.host} is ${formatSeconds(lag)} behind the primary${window !== null ? ` (oplog window ${formatSeconds(window)})` : ''}`,
        })
    }
  }

  for (const s of x.shards.filter((k) => k.draining && k.drainingSince !== null && x.now - k.drainingSince > LONG_DRAIN_MS))
    out.push({
      status: 'warn',
      code: 'long-drain',
      reason: `${s.id} has been draining for ${formatSeconds((x.now - s.drainingSince!) / 1000)} with ${s.chunks} chunk(s) left${s.jumboChunks ? `, ${s.jumboChunks} of them jumbo` : ''}${s.primaryOf.length ? `, primary of ${s.primaryOf.join(', ')}` : ''}`,
      fix: { label: `Continue removing ${s.id} (moves its databases, watches the drain)`, request: { kind: 'mongo.remove-shard', shard: s.id } },
    })

  const failed = x.recentMigrations.filter((m) => m.status === 'failed' && x.now - (m.endedAt ?? m.startedAt) < RECENT_FAILURE_MS)
  if (failed.length)
    out.push({
      status: 'warn',
      code: 'migration-failed',
      reason: `${failed.length} migration(s) failed in the last hour, latest: ${failed[0]!.ns} ${failed[0]!.from} → ${failed[0]!.to}: ${failed[0]!.error ?? 'no reason given'}`,
    })
  return out
}
