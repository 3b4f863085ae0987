import { Long, type Document } from 'bson'
import type { ShardedCluster } from './cluster'
import { PeerError } from './peer-error'

/** removeShard's reply for where the drain stands, completing it when nothing is left. */
export function removeShard(c: ShardedCluster, id: string): Document {
  const shard = c.shard(id)
  if (!shard.draining) {
    if (c.shards.length === 1) throw new PeerError(20, 'IllegalOperation', 'Operation not allowed because it would remove the last shard')
    if (c.shards.some((s) => s.draining)) throw new PeerError(117, 'ConflictingOperationInProgress', "Can't have more than one draining shard at a time")
    shard.draining = true
    shard.drainingSince = Date.now()
    // Logged by the config server: its changelog shard is "config", the removed one in details
    // (ShardingCatalogManager::removeShard, src/mongo/db/s/config/sharding_catalog_manager_shard_operations.cpp).
    c.log('removeShard.start', '', 'config', { shard: id }, c.configRs.primary?.host)
    return {
      msg: 'draining started successfully',
      state: 'started',
      shard: id,
      note: 'you need to call moveNonShardedCollection for [] and movePrimary for []',
      dbsToMove: c.dbsOn(id),
      collectionsToMove: [],
      ok: 1,
    }
  }
  const chunks = c.chunks.filter((c) => c.doc.shard === id)
  const dbs = c.dbsOn(id)
  if (!chunks.length && !dbs.length) {
    c.shards.splice(c.shards.indexOf(shard), 1)
    c.log('removeShard', '', 'config', { shard: id }, c.configRs.primary?.host)
    return { msg: 'removeshard completed successfully', state: 'completed', shard: id, ok: 1 }
  }
  return {
    msg: 'draining ongoing',
    state: 'ongoing',
    remaining: {
      chunks: Long.fromNumber(chunks.length),
      dbs: Long.fromNumber(dbs.length),
      jumboChunks: Long.fromNumber(chunks.filter((c) => c.doc.jumbo).length),
      collectionsToMove: Long.ZERO,
    },
    note: 'you need to call moveNonShardedCollection and movePrimary for the databases and collections listed in dbsToMove and collectionsToMove',
    dbsToMove: dbs,
    collectionsToMove: [],
    ok: 1,
  }
}
