import type { Document, MongoClient } from 'mongodb'
import type { MongoMigration } from '../../../shared/systems/mongo'
import { balancerPace, type BalancerPace } from '../../../shared/domain/mongo-drain'
import { boundText, READ_LONGS } from './mongo-bounds'
import { labelled } from './mongo-client'
import { num } from './mongo-values'

/** The config.changelog events the view reads: migrations and drains. */
export const CHANGELOG_EVENTS = ['moveChunk.start', 'moveChunk.from', 'moveChunk.error', 'removeShard.start']

/**
 * When each shard's drain started, from the newest removeShard.start per shard. The config server
 * logs it (its changelog `shard` is "config"); the removed shard is `details.shard`
 * (ShardingCatalogManager::removeShard, src/mongo/db/s/config/sharding_catalog_manager_shard_operations.cpp).
 */
export function drainStartsFrom(changelog: readonly Document[]): Map<string, number> {
  const starts = new Map<string, number>()
  for (const e of changelog) {
    if (e.what !== 'removeShard.start') continue
    const shard = String((e.details as Document | undefined)?.shard ?? e.shard)
    if (!starts.has(shard)) starts.set(shard, (e.time as Date).getTime())
  }
  return starts
}

/**
 * Migrations from the config changelog (newest first): an end event closes the start with the same
 * namespace and lower bound. An aborted migration is logged twice by the donor — moveChunk.error
 * (min, max, from, to only; MigrationSourceManager::_cleanupOnError, src/mongo/db/s/migration_source_manager.cpp)
 * and moveChunk.from with note "aborted" and its errmsg (MoveTimingHelper::~MoveTimingHelper,
 * src/mongo/db/s/move_timing_helper.cpp) — often in the same millisecond, so in either order: it
 * counts once, with the donor's reason.
 */
export function readMigrations(changelog: Document[], now: number): { running: MongoMigration[]; recent: MongoMigration[] } {
  const running: MongoMigration[] = []
  const recent: MongoMigration[] = []
  /** A failure recorded from one of the two events, waiting for the other. */
  const halfLogged = new Map<string, { migration: MongoMigration; by: string }>()
  const keyOf = (e: Document) => `${String(e.ns)} ${boundText((e.details as Document | undefined)?.min)}`
  for (const e of [...changelog].reverse()) {
    const d = (e.details ?? {}) as Document
    const at = (e.time as Date).getTime()
    const key = keyOf(e)
    if (e.what === 'moveChunk.start') {
      halfLogged.delete(key)
      running.push({
        ns: String(e.ns),
        min: boundText(d.min),
        max: boundText(d.max),
        from: String(d.from),
        to: String(d.to),
        startedAt: at,
        endedAt: null,
        durationMs: null,
        status: 'running',
        error: null,
      })
    } else if (e.what === 'moveChunk.from' || e.what === 'moveChunk.error') {
      const ok = e.what === 'moveChunk.from' && (d.note === undefined || d.note === 'success')
      const other = halfLogged.get(key)
      if (!ok && other && other.by !== e.what) {
        // the second account of a failure already counted
        if (e.what === 'moveChunk.from' && d.errmsg !== undefined) other.migration.error = String(d.errmsg)
        other.migration.endedAt = Math.max(other.migration.endedAt ?? at, at)
        halfLogged.delete(key)
        continue
      }
      const i = running.findIndex((m) => `${m.ns} ${m.min}` === key)
      const started = i >= 0 ? running.splice(i, 1)[0]! : null
      const migration: MongoMigration = {
        ns: String(e.ns),
        min: boundText(d.min),
        max: boundText(d.max),
        from: String(d.from ?? started?.from ?? ''),
        to: String(d.to ?? started?.to ?? ''),
        startedAt: started?.startedAt ?? at,
        endedAt: at,
        durationMs: started ? at - started.startedAt : null,
        status: ok ? 'succeeded' : 'failed',
        error: ok ? null : d.errmsg !== undefined ? String(d.errmsg) : 'aborted (the donor logged no reason)',
      }
      recent.push(migration)
      if (!ok) halfLogged.set(key, { migration, by: String(e.what) })
    }
  }
  // A start with no end for a day is a migration whose end the capped changelog lost, not one running.
  return { running: running.filter((m) => now - m.startedAt < 86_400_000).reverse(), recent: recent.reverse().slice(0, 50) }
}

const PACE_DAYS = 7

/** What the recipient cloned for a migration: the moveChunk.commit of the same range within the migration's time. */
function clonedBytes(m: MongoMigration, commits: readonly Document[]): number | null {
  const commit = commits.find((e) => {
    const d = (e.details ?? {}) as Document
    const at = (e.time as Date).getTime()
    return String(e.ns) === m.ns && boundText(d.min) === m.min && at >= m.startedAt && at <= (m.endedAt ?? at)
  })
  const bytes: unknown = ((commit?.details as Document | undefined)?.counts as Document | undefined)?.clonedBytes
  return bytes === undefined ? null : num(bytes)
}

/**
 * The balancer's pace over the last week of the changelog: succeeded migrations with what their
 * commits say was cloned (MigrationSourceManager::commitChunkMetadataOnConfig logs moveChunk.commit
 * with the recipient's counts, src/mongo/db/s/migration_source_manager.cpp).
 */
export async function readBalancerPace(client: MongoClient, version: string, now = Date.now()): Promise<BalancerPace | undefined> {
  const events = await labelled(
    'config.changelog',
    client
      .db('config')
      .collection('changelog')
      .find({ what: { $in: [...CHANGELOG_EVENTS, 'moveChunk.commit'] }, time: { $gte: new Date(now - PACE_DAYS * 86_400_000) } }, READ_LONGS)
      .sort({ time: -1 })
      .limit(1000)
      .toArray(),
    version,
  )
  const commits = events.filter((e) => e.what === 'moveChunk.commit')
  const { recent } = readMigrations(
    events.filter((e) => e.what !== 'moveChunk.commit'),
    now,
  )
  return balancerPace(recent.filter((m) => m.status === 'succeeded').map((m) => ({ ...m, bytes: clonedBytes(m, commits) })))
}
