import type { Document } from 'bson'
import type { ShardedCluster } from './cluster'
import { PeerError } from './peer-error'
import type { ReplicaSet } from './replica-set'

/** The collections a member holds in a database: the oplog and set config in local, its shard's data elsewhere. */
export function memberCollections(c: ShardedCluster, rs: ReplicaSet, host: string, db: string): string[] {
  if (db === 'local') return rs.member(host)!.arbiter ? ['startup_log'] : ['oplog.rs', 'replset.election', 'replset.minvalid', 'startup_log', 'system.replset']
  if (db === 'admin') return ['system.version']
  const shard = c.shards.find((s) => s.rs === rs)
  if (!shard) return []
  return [...c.shardData(shard._id).keys()].filter((ns) => ns.startsWith(`${db}.`)).map((ns) => ns.slice(db.length + 1))
}

/** Each database a member holds with its collections' bytes on disk (storage and indexes, as $collStats totals them). */
export function memberDatabases(
  c: ShardedCluster,
  rs: ReplicaSet,
  host: string,
): Map<string, { collections: number; objects: number; dataSize: number; storageSize: number; indexSize: number }> {
  const shard = c.shards.find((s) => s.rs === rs)
  const userDbs = shard ? [...c.shardData(shard._id).keys()].map((ns) => ns.split('.')[0]!) : []
  const out = new Map<string, { collections: number; objects: number; dataSize: number; storageSize: number; indexSize: number }>()
  for (const db of ['admin', 'config', 'local', ...new Set(userDbs)]) {
    const total = { collections: 0, objects: 0, dataSize: 0, storageSize: 0, indexSize: 0 }
    for (const name of memberCollections(c, rs, host, db)) {
      const stats = collStats(c, rs, host, `${db}.${name}`, { storageStats: {} })[0]!.storageStats as Document
      total.collections++
      total.objects += Number(stats.count ?? 0)
      total.dataSize += Number(stats.size ?? 0)
      // WiredTiger allocates at least a page per table, even for an empty one
      total.storageSize += Math.max(4096, Number(stats.storageSize))
      total.indexSize += Math.max(4096 * Number(stats.nindexes ?? 0), Number(stats.totalIndexSize))
    }
    out.set(db, total)
  }
  return out
}

/** Bytes the member's data files take on its filesystem: every database's storage and indexes. */
export function memberDataBytes(c: ShardedCluster, rs: ReplicaSet, host: string): number {
  return [...memberDatabases(c, rs, host).values()].reduce((a, d) => a + d.storageSize + d.indexSize, 0)
}

export function memberDocuments(rs: ReplicaSet, host: string, ns: string, sort: Document): Document[] {
  if (ns === 'local.system.replset') return [rs.config()]
  if (ns !== 'local.oplog.rs') return []
  return [rs.oplogEntry(host, sort.$natural === -1)]
}

/**
 * $collStats with storageStats on a member (src/mongo/db/pipeline/document_source_coll_stats.cpp,
 * src/mongo/db/stats/storage_stats.cpp): the oplog as a capped collection, shard data as owned.
 */
export function collStats(c: ShardedCluster, rs: ReplicaSet, host: string, ns: string, spec: Document | undefined): Document[] {
  const [db, ...rest] = ns.split('.')
  if (!memberCollections(c, rs, host, db!).includes(rest.join('.'))) throw new PeerError(26, 'NamespaceNotFound', `Collection [${ns}] not found.`)
  const shard = c.shards.find((s) => s.rs === rs)
  const data = shard ? c.shardData(shard._id).get(ns) : undefined
  const base: { storageSize: number } & Document =
    ns === 'local.oplog.rs'
      ? rs.oplogStats()
      : {
          size: data?.bytes ?? 0,
          count: data?.docs ?? 0,
          avgObjSize: data && data.docs ? Math.round(data.bytes / data.docs) : 0,
          storageSize: Math.round((data?.bytes ?? 0) * 0.4),
          capped: false,
        }
  const indexes: Record<string, number> = ns === 'local.oplog.rs' ? {} : { _id_: Math.round((data?.docs ?? 0) * 12) }
  const totalIndexSize = Object.values(indexes).reduce((a, b) => a + b, 0)
  return [
    {
      ns,
      host,
      localTime: new Date(),
      ...(spec?.storageStats
        ? {
            storageStats: {
              ...base,
              freeStorageSize: 0,
              nindexes: Object.keys(indexes).length,
              indexBuilds: [],
              totalIndexSize,
              totalSize: base.storageSize + totalIndexSize,
              indexSizes: indexes,
              scaleFactor: 1,
            },
          }
        : {}),
    },
  ]
}
