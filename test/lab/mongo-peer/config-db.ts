import { Long, ObjectId, type Document } from 'bson'
import { updateOne } from 'mingo/updater'
import type { ShardedCluster } from './cluster'
import { PeerError } from './peer-error'

/** The config database as a mongos serves it to find and aggregate. */
export function configCollection(c: ShardedCluster, ns: string): Document[] {
  switch (ns) {
    case 'config.shards':
      return c.shardDocs()
    case 'config.databases':
      return c.databases
    case 'config.collections':
      return c.collections
    case 'config.chunks':
      return c.chunkDocs()
    case 'config.settings':
      return c.settings
    case 'config.changelog':
      return c.changelog
    case 'config.version':
      return [{ _id: 1, clusterId: new ObjectId('000000000000000000000001') }]
    case 'config.mongos':
      return [{ _id: c.mongosHost, ping: new Date(), up: Long.fromNumber(60), waiting: true, mongoVersion: c.version }]
    default:
      return []
  }
}

/** update on config.settings (balancer, chunk size) and config.collections (noBalance), with upserts as the server reports them. */
export function updateConfig(c: ShardedCluster, cmd: Document): Document {
  const ns = `${String(cmd.$db)}.${String(cmd.update)}`
  const target = ns === 'config.settings' ? c.settings : ns === 'config.collections' ? c.collections : undefined
  if (!target) throw new PeerError(20, 'IllegalOperation', `the lab peer only updates config.settings and config.collections, not ${ns}`)
  let n = 0
  let modified = 0
  const upserted: Document[] = []
  for (const [index, u] of (cmd.updates as Document[]).entries()) {
    const r = updateOne(target, u.q as Document, u.u as Document)
    if (r.matchedCount) {
      n += r.matchedCount
      modified += r.modifiedCount
    } else if (u.upsert) {
      const doc: Document = { ...(u.q as Document) }
      updateOne([doc], {}, u.u as Document)
      target.push(doc)
      upserted.push({ index, _id: doc._id })
      n++
    }
  }
  return { n, nModified: modified, ...(upserted.length ? { upserted } : {}), ok: 1 }
}
