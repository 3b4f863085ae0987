/**
 * One refresh of the chunk-balance view against the naive read, on a cluster of 1,000,000 chunks
 * over 50 collections and 4 shards (the lab's wire-protocol peer). Both go through a counting TCP
 * proxy in front of the mongos, so "bytes" is what actually crossed the wire to the client.
 *   npm run bench:mongo
 */
import { createServer, connect, type Socket } from 'node:net'
import { MongoClient } from 'mongodb'
import { chunkGroups } from '../src/main/systems/mongo/mongo-reader'
import { startMongoPeer } from '../test/lab/mongo-peer/server'

const COLLECTIONS = 50
const SHARDS = ['shardA', 'shardB', 'shardC', 'shardD']
const PER_SHARD = 5000 // per collection: 50 × 4 × 5000 = 1,000,000 chunks

async function countingProxy(target: string): Promise<{ uri: string; bytes: () => number; close: () => Promise<void> }> {
  const [host, port] = target.replace('mongodb://', '').split(':')
  let received = 0
  const sockets = new Set<Socket>()
  const server = createServer((client) => {
    const upstream = connect(Number(port), host)
    sockets.add(client).add(upstream)
    upstream.on('data', (d: Buffer) => (received += d.length))
    client.pipe(upstream).pipe(client)
    const end = () => {
      client.destroy()
      upstream.destroy()
    }
    client.on('error', end).on('close', end)
    upstream.on('error', end).on('close', end)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const addr = server.address() as { port: number }
  return {
    uri: `mongodb://127.0.0.1:${addr.port}/?directConnection=true`,
    bytes: () => received,
    close: async () => {
      for (const s of sockets) s.destroy()
      await new Promise((r) => server.close(r))
    },
  }
}

async function main(): Promise<void> {
  const t0 = Date.now()
  const peer = await startMongoPeer({
    mongosPort: 0,
    firstMemberPort: 0,
    shards: SHARDS,
    balancer: false,
    collections: Array.from({ length: COLLECTIONS }, (_, i) => ({
      ns: `bench.c${String(i).padStart(2, '0')}`,
      key: { k: 1 },
      chunksPerShard: Object.fromEntries(SHARDS.map((s) => [s, PER_SHARD])),
      chunkBytes: 64 * 1024 * 1024,
      chunkDocs: 1000,
    })),
  })
  const proxy = await countingProxy(peer.mongos)
  const client = new MongoClient(proxy.uri, { serverSelectionTimeoutMS: 5000 })
  try {
    await client.connect()
    const chunks = peer.cluster.chunkDocs().length
    console.log(`seeded ${chunks} chunks in ${Date.now() - t0} ms`)
    const measure = async <T>(fn: () => Promise<T>) => {
      const b0 = proxy.bytes()
      const s = performance.now()
      const out = await fn()
      return { out, ms: Math.round(performance.now() - s), bytes: proxy.bytes() - b0 }
    }
    const refresh = await measure(() => chunkGroups(client, '7.0.14'))
    const naive = await measure(() => client.db('config').collection('chunks').find({}).toArray())
    const total = refresh.out.reduce((a, g) => a + g.chunks, 0)
    if (total !== chunks || naive.out.length !== chunks) throw new Error(`counts differ: aggregation ${total}, naive ${naive.out.length}, peer ${chunks}`)
    console.log(`naive find: ${naive.out.length} docs, ${naive.bytes} bytes`)
    console.log(
      `mongo-refresh: chunks=${chunks} docs=${refresh.out.length} bytes=${refresh.bytes} ms=${refresh.ms} naive_docs=${naive.out.length} naive_ms=${naive.ms} ratio=${(naive.ms / Math.max(1, refresh.ms)).toFixed(1)}`,
    )
  } finally {
    await client.close()
    await proxy.close()
    await peer.close()
  }
}

void main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
