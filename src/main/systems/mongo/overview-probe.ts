import type { SystemHealth } from '../../../shared/health'
import type { Connections } from '../../core/connections'
import { nodeDown, systemHealth } from '../../core/system-health'
import { labelled, mongoLabel, mongosClient, type MongoEndpoint } from './mongo-client'

/** Overview card for MongoDB: reachable, and for a mongos the number of shards (draining ones named). */
export async function probeMongo(endpoint: MongoEndpoint, connections: Connections): Promise<SystemHealth> {
  const started = Date.now()
  const label = mongoLabel(endpoint)
  try {
    const client = await labelled(`connect to ${label}`, mongosClient(endpoint, connections))
    const admin = client.db('admin')
    const hello = await labelled('hello', admin.command({ hello: 1 }))
    if (hello.msg === 'isdbgrid') {
      const shards = ((await labelled('listShards', admin.command({ listShards: 1 }))).shards ?? []) as { _id: string; draining?: boolean }[]
      const draining = shards.filter((s) => s.draining).map((s) => s._id)
      return systemHealth(endpoint, 'mongo', started, [
        {
          id: label,
          label,
          role: 'mongos',
          status: 'ok',
          detail: `mongos, ${shards.length} shards${draining.length ? `, draining ${draining.join(', ')}` : ''}`,
          metrics: { shards: shards.length },
        },
      ])
    }
    return systemHealth(endpoint, 'mongo', started, [
      {
        id: label,
        label,
        role: hello.isWritablePrimary ? 'primary' : 'secondary',
        status: 'ok',
        detail: hello.setName ? `replica set ${String(hello.setName)}` : 'standalone',
        metrics: {},
      },
    ])
  } catch (err) {
    return systemHealth(endpoint, 'mongo', started, [nodeDown(label, label, err, connections.secretValues())])
  }
}
