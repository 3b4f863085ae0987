import { MongoClient } from 'mongodb'
import type { SystemHealth } from '../../../shared/health'
import type { EndpointOf } from '../../../shared/inventory'
import type { Connections } from '../../core/connections'
import { nodeDown, systemHealth } from '../../core/system-health'

type MongoEndpoint = EndpointOf<'mongo'>

/** Overview card for MongoDB: reachable, and for a mongos the number of shards. */
export async function probeMongo(endpoint: MongoEndpoint, connections: Connections): Promise<SystemHealth> {
  const started = Date.now()
  const url = new URL(endpoint.uri.replace(/^mongodb(\+srv)?:/, 'http:'))
  const label = url.host
  const password = connections.secret(endpoint.id)
  const client = new MongoClient(endpoint.uri, {
    serverSelectionTimeoutMS: 3000,
    connectTimeoutMS: 3000,
    ...(password && url.username ? { auth: { username: decodeURIComponent(url.username), password } } : {}),
  })
  try {
    await client.connect()
    const admin = client.db('admin')
    const hello = await admin.command({ hello: 1 })
    if (hello.msg === 'isdbgrid') {
      const shards = await admin.command({ listShards: 1 })
      const shardCount = Array.isArray(shards.shards) ? shards.shards.length : 0
      return systemHealth(endpoint, 'mongo', started, [
        { id: label, label, role: 'mongos', status: 'ok', detail: `mongos, ${shardCount} shards`, metrics: { shards: shardCount } },
      ])
    }
    return systemHealth(endpoint, 'mongo', started, [
      {
        id: label,
        label,
        role: hello.isWritablePrimary ? 'primary' : 'secondary',
        status: 'ok',
        detail: hello.setName ? `replica set ${hello.setName}` : 'standalone',
        metrics: {},
      },
    ])
  } catch (err) {
    return systemHealth(endpoint, 'mongo', started, [nodeDown(label, label, err, connections.secretValues())])
  } finally {
    await client.close().catch(() => undefined)
  }
}
