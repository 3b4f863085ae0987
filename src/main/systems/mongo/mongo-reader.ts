import type { Document, MongoClient } from 'mongodb'
import { imbalanceOf, migrationThreshold, versionAtLeast, windowOpen } from '../../../shared/domain/mongo-balance'
import { mongoFindings } from '../../../shared/domain/mongo-findings'
import { reasonFor, worstStatus } from '../../../shared/domain/health'
import type { BalancerWindow, MongoBalancer, MongoCluster, MongoCollectionBalance, MongoJumboChunk, MongoShard } from '../../../shared/systems/mongo'
import type { Connections } from '../../core/connections'
import { SwitchyardError, withTimeout } from '../../core/errors'
import { boundText, READ_LONGS } from './mongo-bounds'
import { CHANGELOG_EVENTS, drainStartsFrom, readMigrations } from './mongo-changelog'
import { labelled, mongoLabel, mongosClient, type MongoEndpoint } from './mongo-client'
import { readReplicaSets, rsNameOf } from './mongo-members'
import { num, READ_MS } from './mongo-values'

const DEFAULT_CHUNK_MB = 128

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
