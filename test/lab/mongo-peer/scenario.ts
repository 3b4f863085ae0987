import type { PeerOptions } from './server'

const MB = 1024 * 1024

/**
 * The lab's sharded cluster: three shards and a spare replica set to add, three collections of
 * which shop.events (hashed _id, NumberLong bounds) is imbalanced and holds a jumbo chunk, one
 * lagging secondary, a new hidden member of shardC in initial sync (43 % copied, hours to go), and
 * the balancer off so that what a test or a DBA sees first is a cluster that needs attention.
 */
export function labScenario(ports: { mongos: number; firstMember: number }, users: PeerOptions['users']): PeerOptions {
  return {
    mongosPort: ports.mongos,
    firstMemberPort: ports.firstMember,
    version: '7.0.14',
    users,
    shards: ['shardA', 'shardB', 'shardC'],
    spares: ['shardD'],
    members: {
      shardB: [{}, {}, { lagSecs: 4 }],
      shardC: [
        {},
        {},
        { priority: 0, hidden: true, state: 'STARTUP2', initialSync: { totalBytes: 3_000_000_000, copiedBytes: 1_290_000_000, bytesPerSec: 50_000 } },
      ],
    },
    balancerOff: true,
    collections: [
      { ns: 'shop.orders', key: { customerId: 1 }, chunksPerShard: { shardA: 8, shardB: 8, shardC: 8 }, chunkBytes: 40 * MB, chunkDocs: 52_000 },
      { ns: 'shop.events', key: { _id: 'hashed' }, chunksPerShard: { shardA: 18, shardB: 6, shardC: 6 }, chunkBytes: 40 * MB, chunkDocs: 210_000, jumbo: [3] },
      { ns: 'logs.requests', key: { ts: 1 }, chunksPerShard: { shardA: 4, shardB: 4, shardC: 4 }, chunkBytes: 60 * MB, chunkDocs: 90_000 },
    ],
  }
}
