import type { Document, MongoClient } from 'mongodb'
import { imbalanceOf, migrationThreshold, versionAtLeast, windowOpen } from '../../../shared/domain/mongo-balance'
import { memberServes, mongoFindings } from '../../../shared/domain/mongo-findings'
import { reasonFor, worstStatus } from '../../../shared/domain/health'
import type {
  BalancerWindow,
  MongoBalancer,
  MongoCluster,
  MongoCollectionBalance,
  MongoJumboChunk,
  MongoMember,
  MongoMigration,
  MongoReplicaSet,
  MongoShard,
} from '../../../shared/systems/mongo'
import { MEMBER_STATES, type InitialSyncProgress } from '../../../shared/systems/mongo'
import type { Connections } from '../../core/connections'
import { SwitchyardError, toConnError, withTimeout } from '../../core/errors'
import { boundText, READ_LONGS } from './mongo-bounds'
import { labelled, memberClient, mongoLabel, mongosClient, type MongoEndpoint } from './mongo-client'

const READ_MS = 10_000
const DEFAULT_CHUNK_MB = 128
const CHANGELOG_EVENTS = ['moveChunk.start', 'moveChunk.from', 'moveChunk.error', 'removeShard.start']

const num = (v: unknown): number =>
  typeof v === 'number'
    ? v
    : typeof v === 'bigint'
      ? Number(v)
      : v && typeof v === 'object' && 'toNumber' in v
        ? (v as { toNumber(): number }).toNumber()
        : Number(v ?? 0)

/** One group of the server-side chunk aggregation. */
interface ChunkGroup {
  _id: { uuid: unknown; shard: string }
  chunks: number
  jumbo: number
}

/**
 * Chunks per collection per shard, counted by the config server in one aggregation: it returns one
 * small document per (collection, shard) pair however many chunks there are.
 */
export const CHUNK_PIPELINE: Document[] = [
  { $group: { _id: { uuid: '$uuid', shard: '$shard' }, chunks: { $sum: 1 }, jumbo: { $sum: { $cond: [{ $eq: ['$jumbo', true] }, 1, 0] } } } },
]

export async function chunkGroups(client: MongoClient, version: string): Promise<ChunkGroup[]> {
  return labelled(
    'chunk distribution (config.chunks aggregation)',
    client.db('config').collection('chunks').aggregate<ChunkGroup>(CHUNK_PIPELINE).toArray(),
    version,
  )
}

interface Uuidish {
  toHexString(): string
}
const uuidHex = (u: unknown): string => (u && typeof u === 'object' && 'toHexString' in u ? (u as Uuidish).toHexString() : String(u))

/** Everything the mongos knows about balance: one round of reads, all in parallel. */
async function readRouter(client: MongoClient, version: string) {
  const admin = client.db('admin')
  const config = client.db('config')
  const dd = versionAtLeast(version, 6, 0, 3)
  const [shards, shardMap, balancer, settings, collections, groups, distribution, changelog, databases, jumbo] = await Promise.all([
    labelled('listShards', admin.command({ listShards: 1 }), version),
    labelled('getShardMap', admin.command({ getShardMap: 1 }), version),
    labelled('balancerStatus', admin.command({ balancerStatus: 1 }), version),
    labelled(
      'config.settings',
      config
        .collection('settings')
        .find({ _id: { $in: ['balancer', 'chunksize'] } } as Document)
        .toArray(),
      version,
    ),
    labelled(
      'config.collections',
      config
        .collection('collections')
        .find({ dropped: { $ne: true } })
        .toArray(),
      version,
    ),
    chunkGroups(client, version),
    dd ? labelled('$shardedDataDistribution', admin.aggregate([{ $shardedDataDistribution: {} }]).toArray(), version) : Promise.resolve(null),
    labelled(
      'config.changelog',
      config
        .collection('changelog')
        .find({ what: { $in: CHANGELOG_EVENTS } }, READ_LONGS)
        .sort({ time: -1 })
        .limit(300)
        .toArray(),
      version,
    ),
    labelled('config.databases', config.collection('databases').find({}).toArray(), version),
    labelled(
      'jumbo chunks',
      config
        .collection('chunks')
        .find({ jumbo: true }, { projection: { uuid: 1, min: 1, max: 1, shard: 1 }, ...READ_LONGS })
        .limit(200)
        .toArray(),
      version,
    ),
  ])
  return { shards, shardMap, balancer, settings, collections, groups, distribution, changelog, databases, jumbo }
}

function readBalancer(status: Document, settings: Document[], serverTime: Date): MongoBalancer {
  const b = settings.find((s) => s._id === 'balancer')
  const size = settings.find((s) => s._id === 'chunksize')
  const w = b?.activeWindow as { start?: unknown; stop?: unknown } | undefined
  const window: BalancerWindow | null = typeof w?.start === 'string' && typeof w.stop === 'string' ? { start: w.start, stop: w.stop } : null
  const mode = String(status.mode ?? (b?.stopped ? 'off' : 'full'))
  return {
    mode,
    enabled: mode !== 'off',
    running: Boolean(status.inBalancerRound),
    rounds: num(status.numBalancerRounds),
    window,
    // The window is in the config servers' local time; the mongos's clock (hello.localTime) stands in for it.
    inWindow: windowOpen(window, serverTime.getHours(), serverTime.getMinutes()),
    chunkSizeMB: size ? num(size.value) : DEFAULT_CHUNK_MB,
    chunkSizeDefault: !size,
  }
}

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
  }
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
    const [first, last] = await withTimeout(`oplog of ${host}`, READ_MS, Promise.all([entry(1), entry(-1)]))
    const at = (e: Document | null) => (e?.wall instanceof Date ? e.wall.getTime() : e?.ts ? num((e.ts as { high: number }).high) * 1000 : 0)
    return first && last ? { ...base, oplog: { firstAt: at(first), lastAt: at(last), windowHours: (at(last) - at(first)) / 3600_000 } } : base
  } catch (err) {
    return { ...base, error: toConnError(err, connections.secretValues()) }
  }
}

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

function rsNameOf(host: string): string | null {
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

type Verdict = Pick<MongoCollectionBalance, 'verdict' | 'verdictNote'>

/** A balancerCollectionStatus reply as the verdict the views show. */
export const verdictOf = (reply: Document): MongoCollectionBalance['verdict'] => ({
  compliant: Boolean(reply.balancerCompliant),
  violation: reply.firstComplianceViolation === undefined ? null : String(reply.firstComplianceViolation),
})
const VERDICT_CONCURRENCY = 8
const MAX_VERDICTS = 500

/**
 * The server's own balance verdict per collection (balancerCollectionStatus, 4.4+; it needs
 * clusterManager's enableSharding action). One refusal for lack of the command or of the role
 * stands for every collection, so it is asked once more only when it was another error.
 */
async function readVerdicts(client: MongoClient, namespaces: string[]): Promise<Map<string, Verdict>> {
  const out = new Map<string, Verdict>()
  let refusal: string | null = null
  const queue = namespaces.slice(0, MAX_VERDICTS)
  const ask = async (ns: string): Promise<Verdict> => {
    if (refusal) return { verdict: null, verdictNote: refusal }
    try {
      return { verdict: verdictOf(await client.db('admin').command({ balancerCollectionStatus: ns })), verdictNote: null }
    } catch (err) {
      const code = (err as { code?: number }).code
      const note =
        code === 59
          ? 'the server has no balancerCollectionStatus (MongoDB 4.4+)'
          : code === 13
            ? "the user may not ask the server's verdict (balancerCollectionStatus needs clusterManager)"
            : `balancerCollectionStatus: ${(err as Error).message}`
      if (code === 59 || code === 13) refusal = note
      return { verdict: null, verdictNote: note }
    }
  }
  const workers = Array.from({ length: Math.min(VERDICT_CONCURRENCY, queue.length) }, async () => {
    for (let ns = queue.shift(); ns !== undefined; ns = queue.shift()) out.set(ns, await ask(ns))
  })
  await Promise.all(workers)
  return out
}

export interface ReadOptions {
  /** When each shard was first seen draining (kept by the service across refreshes). */
  drainingSeen?: Map<string, number>
}

/** The whole sharded-cluster picture the MongoDB view shows. Throws only when the mongos cannot be read at all. */
export async function readCluster(environment: string, endpoint: MongoEndpoint, connections: Connections, opts: ReadOptions = {}): Promise<MongoCluster> {
  const started = Date.now()
  const client = await labelled(`connect to ${mongoLabel(endpoint)}`, mongosClient(endpoint, connections))
  const hello = await labelled('hello', client.db('admin').command({ hello: 1 }))
  if (hello.msg !== 'isdbgrid')
    throw new SwitchyardError(
      'config',
      `${mongoLabel(endpoint)} is not a mongos${hello.setName ? ` (it is a member of replica set ${String(hello.setName)})` : ''}: point the endpoint at the cluster's mongos`,
    )
  const version = String((await labelled('buildInfo', client.db('admin').command({ buildInfo: 1 }))).version)
  const r = await withTimeout('reading the cluster from the mongos', READ_MS, readRouter(client, version))
  const [verdicts, replicaSets] = await Promise.all([
    versionAtLeast(version, 4, 4)
      ? withTimeout(
          'balancerCollectionStatus',
          READ_MS,
          readVerdicts(
            client,
            r.collections.map((c) => String(c._id)),
          ),
        )
      : new Map<string, Verdict>(),
    readReplicaSets(endpoint, connections, r.shardMap),
  ])
  const now = Date.now()
  const serverTime = hello.localTime instanceof Date ? hello.localTime : new Date(now)
  const balancer = readBalancer(r.balancer, r.settings, serverTime)
  const shardDocs = (r.shards.shards ?? []) as Document[]

  const drainStarts = drainStartsFrom(r.changelog)
  const activeShards = shardDocs.filter((s) => !s.draining).map((s) => String(s._id))

  const sizes = new Map<string, Map<string, { bytes: number; docs: number }>>()
  for (const d of r.distribution ?? []) {
    const per = new Map<string, { bytes: number; docs: number }>()
    for (const s of d.shards as Document[]) per.set(String(s.shardName), { bytes: num(s.ownedSizeBytes), docs: num(s.numOwnedDocuments) })
    sizes.set(String(d.ns), per)
  }
  const groupsByUuid = new Map<string, ChunkGroup[]>()
  for (const g of r.groups) groupsByUuid.set(uuidHex(g._id.uuid), [...(groupsByUuid.get(uuidHex(g._id.uuid)) ?? []), g])
  const nsByUuid = new Map<string, string>()
  const collections: MongoCollectionBalance[] = r.collections.map((c) => {
    const ns = String(c._id)
    const uuid = uuidHex(c.uuid)
    nsByUuid.set(uuid, ns)
    const groups = groupsByUuid.get(uuid) ?? []
    const data = sizes.get(ns)
    const shards = [...new Set([...activeShards, ...groups.map((g) => g._id.shard)])].map((shard) => {
      const g = groups.find((x) => x._id.shard === shard)
      const d = data?.get(shard)
      return {
        shard,
        chunks: g ? num(g.chunks) : 0,
        jumbo: g ? num(g.jumbo) : 0,
        bytes: data ? (d?.bytes ?? 0) : null,
        documents: data ? (d?.docs ?? 0) : null,
      }
    })
    const total = shards.reduce((a, s) => a + s.chunks, 0)
    const metric = data ? 'bytes' : 'chunks'
    const threshold = migrationThreshold(metric, balancer.chunkSizeMB, total)
    return {
      ns,
      uuid,
      ...(verdicts.get(ns) ?? {
        verdict: null,
        verdictNote: versionAtLeast(version, 4, 4) ? 'not asked' : 'the server has no balancerCollectionStatus (MongoDB 4.4+)',
      }),
      key: boundText(c.key),
      noBalance: Boolean(c.noBalance),
      chunks: total,
      jumbo: shards.reduce((a, s) => a + s.jumbo, 0),
      shards,
      imbalance: imbalanceOf(
        shards.map((s) => ({ shard: s.shard, value: metric === 'bytes' ? (s.bytes ?? 0) : s.chunks })),
        activeShards,
        metric,
        threshold,
      ),
    }
  })
  collections.sort((a, b) => a.ns.localeCompare(b.ns))

  const shards: MongoShard[] = shardDocs.map((s) => {
    const id = String(s._id)
    const draining = Boolean(s.draining)
    if (draining && !opts.drainingSeen?.has(id)) opts.drainingSeen?.set(id, now)
    if (!draining) opts.drainingSeen?.delete(id)
    const mine = collections.flatMap((c) => c.shards.filter((x) => x.shard === id))
    return {
      id,
      host: String(s.host),
      replicaSet: rsNameOf(String(s.host)),
      draining,
      drainingSince: draining ? (drainStarts.get(id) ?? opts.drainingSeen?.get(id) ?? null) : null,
      chunks: mine.reduce((a, x) => a + x.chunks, 0),
      jumboChunks: mine.reduce((a, x) => a + x.jumbo, 0),
      dataBytes: r.distribution ? mine.reduce((a, x) => a + (x.bytes ?? 0), 0) : null,
      documents: r.distribution ? mine.reduce((a, x) => a + (x.documents ?? 0), 0) : null,
      primaryOf: r.databases.filter((d) => d.primary === id).map((d) => String(d._id)),
    }
  })

  const jumbo: MongoJumboChunk[] = r.jumbo.map((j) => ({
    ns: nsByUuid.get(uuidHex(j.uuid)) ?? uuidHex(j.uuid),
    shard: String(j.shard),
    min: boundText(j.min),
    max: boundText(j.max),
  }))
  const migrations = readMigrations(r.changelog, now)
  const findings = mongoFindings({ balancer, collections, jumbo, replicaSets, shards, recentMigrations: migrations.recent, now })
  const counted = findings.filter((f) => f.status !== 'ok')
  return {
    environment,
    endpointId: endpoint.id,
    checkedAt: started,
    durationMs: Date.now() - started,
    mongos: mongoLabel(endpoint),
    version,
    dataDistribution: r.distribution !== null,
    shards,
    collections,
    jumbo,
    balancer,
    migrations,
    replicaSets,
    findings,
    status: worstStatus(counted.map((f) => f.status)),
    reason: reasonFor(counted, `${shards.length} shards, ${collections.length} sharded collections, balancer ${balancer.enabled ? 'on' : 'off'}`),
  }
}
