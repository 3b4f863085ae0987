import type { Document } from 'mongodb'
import { memberServes } from '../../../shared/domain/mongo-findings'
import { MEMBER_STATES, type InitialSyncProgress, type MongoMember, type MongoReplicaSet } from '../../../shared/systems/mongo'
import type { Connections } from '../../core/connections'
import { SwitchyardError, toConnError, withTimeout } from '../../core/errors'
import { memberClient, type MongoEndpoint } from './mongo-client'
import { num, READ_MS } from './mongo-values'

/**
 * When a member's data is from: its optimeDate, or null while it has none — a member in initial
 * sync (STARTUP2) reports optime Timestamp(0, 0) and an optimeDate of 1970 (replSetGetStatus,
 * src/mongo/db/repl/replication_coordinator_impl.cpp; jstests/replsets/initial_sync_*.js).
 */
export function optimeOf(s: Document | undefined): number | null {
  const at = s?.optimeDate instanceof Date ? s.optimeDate.getTime() : null
  const ts = (s?.optime as Document | undefined)?.ts as { high?: number; low?: number; t?: number; i?: number } | undefined
  const zeroTs = ts !== undefined && (ts.high ?? ts.t ?? 1) === 0 && (ts.low ?? ts.i ?? 0) === 0
  return at === null || at <= 0 || zeroTs ? null : at
}

/** States whose data is current enough to measure lag against the primary's. */
const REPLICATING = new Set(['PRIMARY', 'SECONDARY', 'RECOVERING'])
/** States in which a member serves reads, so its oplog can be read. */
const READABLE = new Set(['PRIMARY', 'SECONDARY'])

/**
 * A member's state by its numeric code; stateStr is not a name for every state (a DOWN member's is
 * "(not reachable/healthy)", src/mongo/db/repl/member_state.h and topology_coordinator.cpp).
 */
export function stateName(s: Document | undefined): string {
  const code = s?.state === undefined ? undefined : num(s.state)
  return code !== undefined && MEMBER_STATES[code] ? MEMBER_STATES[code] : String(s?.stateStr ?? 'UNKNOWN')
}

/** One member as replSetGetConfig and replSetGetStatus describe it; lag only for a member that has an optime and replicates. */
export function memberOf(cm: Document, s: Document | undefined, primaryAt: number | null): MongoMember {
  const healthy = s ? num(s.health) === 1 : false
  const state = stateName(s)
  const optimeAt = optimeOf(s)
  return {
    host: String(cm.host),
    id: num(cm._id),
    state,
    healthy,
    initialSync: null,
    lagSeconds: primaryAt !== null && optimeAt !== null && healthy && REPLICATING.has(state) ? Math.max(0, (primaryAt - optimeAt) / 1000) : null,
    optimeAt,
    priority: num(cm.priority),
    votes: num(cm.votes),
    hidden: Boolean(cm.hidden),
    delaySecs: num(cm.secondaryDelaySecs ?? cm.slaveDelay),
    arbiter: Boolean(cm.arbiterOnly),
    oplog: null,
    disk: null,
  }
}

/**
 * The member's filesystem and what its databases take on it: dbStats' fsUsedSize and fsTotalSize
 * (3.6+; DatabaseImpl::getStats, src/mongo/db/catalog/database_impl.cpp) and listDatabases'
 * totalSize (src/mongo/db/commands/list_databases.cpp). Null when the server has no fs fields or
 * the user may not run them: capacity is then unknown, the member is not in error.
 */
export async function diskOf(c: { db(name: string): { command(cmd: Document): Promise<Document> } }, host: string): Promise<MongoMember['disk']> {
  const [stats, dbs] = await withTimeout(
    `dbStats and listDatabases on ${host}`,
    READ_MS,
    Promise.all([c.db('admin').command({ dbStats: 1 }), c.db('admin').command({ listDatabases: 1, nameOnly: false })]),
  ).catch(() => [undefined, undefined])
  if (stats?.fsTotalSize === undefined || stats.fsUsedSize === undefined || dbs?.totalSize === undefined) return null
  const totalBytes = num(stats.fsTotalSize)
  return totalBytes > 0 ? { usedBytes: num(stats.fsUsedSize), totalBytes, dataBytes: num(dbs.totalSize) } : null
}

/**
 * A member's own account of its initial sync (replSetGetStatus's initialSyncStatus on that member:
 * InitialSyncer::_appendInitialSyncProgressMinimal_inlock, src/mongo/db/repl/initial_syncer.cpp;
 * jstests/replsets/initial_sync_replSetGetStatus.js).
 */
export function initialSyncOf(status: Document | undefined): InitialSyncProgress | null {
  const p = status?.initialSyncStatus as Document | undefined
  if (!p) return null
  const total = p.approxTotalDataSize === undefined ? null : num(p.approxTotalDataSize)
  const copied = p.approxTotalBytesCopied === undefined ? null : num(p.approxTotalBytesCopied)
  return {
    percent: total && copied !== null ? Math.min(100, (copied / total) * 100) : null,
    copiedBytes: copied,
    totalBytes: total,
    remainingMs: p.remainingInitialSyncEstimatedMillis === undefined ? null : num(p.remainingInitialSyncEstimatedMillis),
    attempt: (Array.isArray(p.initialSyncAttempts) ? p.initialSyncAttempts.length : 0) + 1,
    failedAttempts: num(p.failedInitialSyncAttempts),
  }
}

/** What a member's own connection adds: its oplog window when it serves reads, its initial sync progress while in one. */
async function memberDetail(endpoint: MongoEndpoint, connections: Connections, base: MongoMember): Promise<MongoMember> {
  if (!base.healthy || base.arbiter || !(READABLE.has(base.state) || base.state === 'STARTUP2')) return base
  const host = base.host
  try {
    const c = await memberClient(endpoint, connections, host)
    if (base.state === 'STARTUP2') {
      const own = await withTimeout(`replSetGetStatus on ${host}`, READ_MS, c.db('admin').command({ replSetGetStatus: 1 }))
      return { ...base, initialSync: initialSyncOf(own) }
    }
    const oplog = c.db('local').collection('oplog.rs')
    const entry = (dir: 1 | -1) =>
      oplog
        .find({}, { projection: { ts: 1, wall: 1 } })
        .sort({ $natural: dir })
        .limit(1)
        .next()
    const [[first, last], disk] = await Promise.all([withTimeout(`oplog of ${host}`, READ_MS, Promise.all([entry(1), entry(-1)])), diskOf(c, host)])
    const at = (e: Document | null) => (e?.wall instanceof Date ? e.wall.getTime() : e?.ts ? num((e.ts as { high: number }).high) * 1000 : 0)
    return { ...base, disk, ...(first && last ? { oplog: { firstAt: at(first), lastAt: at(last), windowHours: (at(last) - at(first)) / 3600_000 } } : {}) }
  } catch (err) {
    return { ...base, error: toConnError(err, connections.secretValues()) }
  }
}

/** The replica set name of a shard's host string ("rsName/host:port,…"), or null for a standalone. */
export function rsNameOf(host: string): string | null {
  const i = host.indexOf('/')
  return i > 0 ? host.slice(0, i) : null
}

/** One replica set, from every member it lists, each read directly. */
async function readReplicaSet(
  endpoint: MongoEndpoint,
  connections: Connections,
  name: string,
  seeds: string[],
  role: 'config' | 'shard',
  shard: string | null,
): Promise<MongoReplicaSet> {
  let status: Document | undefined
  let config: Document | undefined
  let lastError: unknown
  for (const seed of seeds) {
    try {
      const c = await memberClient(endpoint, connections, seed)
      const admin = c.db('admin')
      ;[status, config] = await withTimeout(
        `replSetGetStatus on ${seed}`,
        READ_MS,
        Promise.all([admin.command({ replSetGetStatus: 1 }), admin.command({ replSetGetConfig: 1 }).then((r) => r.config as Document)]),
      )
      if (!Array.isArray(status.members) || !Array.isArray(config.members))
        throw new SwitchyardError('protocol', `${seed} answered replSetGetStatus or replSetGetConfig without a members list`)
      break
    } catch (err) {
      lastError = err
    }
  }
  if (!status || !config)
    return {
      name,
      role,
      shard,
      primary: null,
      term: null,
      electionTimeoutMs: 10_000,
      members: [],
      status: 'critical',
      error: toConnError(lastError, connections.secretValues()),
    }
  // a seed that answered without members was passed over above: both lists are arrays here
  const statusOf = new Map((status.members as Document[]).map((m) => [String(m.name), m]))
  const primaryStatus = (status.members as Document[]).find((m) => m.state === 1)
  const primaryAt = optimeOf(primaryStatus)
  const members = await Promise.all(
    (config.members as Document[]).map((cm) => memberDetail(endpoint, connections, memberOf(cm, statusOf.get(String(cm.host)), primaryAt))),
  )
  const unhealthy = members.filter((m) => !memberServes(m)).length
  return {
    name,
    role,
    shard,
    primary: primaryStatus ? String(primaryStatus.name) : null,
    term: status.term === undefined ? null : num(status.term),
    electionTimeoutMs: num((config.settings as Document | undefined)?.electionTimeoutMillis ?? 10_000),
    members,
    status: !primaryStatus ? 'critical' : unhealthy ? 'warn' : 'ok',
  }
}

/** Just the replica sets, for actions that watch one (step-down) without re-reading the balance. */
export async function readReplicaSets(endpoint: MongoEndpoint, connections: Connections, shardMap: Document): Promise<MongoReplicaSet[]> {
  const map = (shardMap.map ?? {}) as Record<string, string>
  return Promise.all(
    Object.entries(map).map(([id, cs]) => {
      const name = rsNameOf(cs) ?? id
      const seeds = cs.slice(cs.indexOf('/') + 1).split(',')
      return readReplicaSet(endpoint, connections, name, seeds, id === 'config' ? 'config' : 'shard', id === 'config' ? null : id)
    }),
  )
}
