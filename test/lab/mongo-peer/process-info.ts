import { Long, type ObjectId, type Document } from 'bson'
import type { ShardedCluster } from './cluster'
import type { Session } from './commands'
import type { ReplicaSet } from './replica-set'

/** What serverStatus counts for one process (a mongos or a member). */
export interface ProcessStats {
  pid: number
  startedAt: number
  topology: ObjectId
  connections: { current: number; totalCreated: number }
  network: { bytesIn: number; bytesOut: number; numRequests: number }
  opcounters: { insert: number; query: number; update: number; delete: number; getmore: number; command: number }
}

/**
 * serverStatus: the sections a monitoring tool reads (src/mongo/db/commands/server_status.cpp and
 * its sections; https://www.mongodb.com/docs/v7.0/reference/command/serverStatus/). Counters are
 * this peer's own traffic; memory and cache figures are fixed.
 */
export function serverStatus(session: Session, c: ShardedCluster, p: ProcessStats, rs: ReplicaSet | undefined): Document {
  const now = Date.now()
  const member = rs?.member(session.host)
  const connections = { current: p.connections.current, available: 838_860 - p.connections.current, totalCreated: p.connections.totalCreated, active: 1 }
  return {
    host: session.host.replace(/:\d+$/, ''),
    version: c.version,
    process: session.role === 'mongos' ? 'mongos' : 'mongod',
    pid: Long.fromNumber(p.pid),
    uptime: (now - p.startedAt) / 1000,
    uptimeMillis: Long.fromNumber(now - p.startedAt),
    uptimeEstimate: Long.fromNumber(Math.floor((now - p.startedAt) / 1000)),
    localTime: new Date(now),
    asserts: { regular: 0, warning: 0, msg: 0, user: 0, tripwire: 0, rollovers: 0 },
    connections,
    network: {
      bytesIn: Long.fromNumber(p.network.bytesIn),
      bytesOut: Long.fromNumber(p.network.bytesOut),
      physicalBytesIn: Long.fromNumber(p.network.bytesIn),
      physicalBytesOut: Long.fromNumber(p.network.bytesOut),
      numRequests: Long.fromNumber(p.network.numRequests),
    },
    opcounters: Object.fromEntries(Object.entries(p.opcounters).map(([k, v]) => [k, Long.fromNumber(v)])),
    mem: { bits: 64, resident: 412, virtual: 3080, supported: true },
    ...(rs && member
      ? {
          opcountersRepl: { insert: Long.ZERO, query: Long.ZERO, update: Long.ZERO, delete: Long.ZERO, getmore: Long.ZERO, command: Long.ZERO },
          repl: { ...rs.hello(session.host, {}), rbid: 1 },
          wiredTiger: {
            cache: {
              'maximum bytes configured': 1_073_741_824,
              'bytes currently in the cache': 536_870_912,
              'tracked dirty bytes in the cache': 8_388_608,
              'pages read into cache': 1024,
              'pages written from cache': 512,
            },
            concurrentTransactions: { write: { out: 0, available: 128, totalTickets: 128 }, read: { out: 1, available: 127, totalTickets: 128 } },
          },
          globalLock: {
            totalTime: Long.fromNumber((now - p.startedAt) * 1000),
            currentQueue: { total: 0, readers: 0, writers: 0 },
            activeClients: { total: 0, readers: 0, writers: 0 },
          },
          storageEngine: { name: 'wiredTiger', supportsCommittedReads: true, persistent: true },
        }
      : { sharding: { configsvrConnectionString: c.configRs.connectionString(), maxChunkSizeInBytes: Long.fromNumber(c.chunkSizeBytes()) } }),
    ok: 1,
  }
}

/** getCmdLineOpts as each process of the lab would have been started (src/mongo/db/commands/generic_servers.cpp). */
export function cmdLineOpts(session: Session, c: ShardedCluster, rs: ReplicaSet | undefined): Document {
  const [host, port] = [session.host.replace(/:\d+$/, ''), Number(session.host.split(':').pop())]
  if (!rs)
    return {
      argv: ['mongos', '--configdb', c.configRs.connectionString(), '--bind_ip', host, '--port', String(port)],
      parsed: { net: { bindIp: host, port }, sharding: { configDB: c.configRs.connectionString() } },
      ok: 1,
    }
  const role = rs.configsvr ? 'configsvr' : 'shardsvr'
  return {
    argv: ['mongod', `--${role}`, '--replSet', rs.name, '--bind_ip', host, '--port', String(port), '--dbpath', `/var/lib/mongodb/${rs.name}-${port}`],
    parsed: {
      net: { bindIp: host, port },
      replication: { replSet: rs.name, oplogSizeMB: Math.round(rs.oplogSizeBytes / 1024 / 1024) },
      sharding: { clusterRole: role },
      storage: { dbPath: `/var/lib/mongodb/${rs.name}-${port}` },
    },
    ok: 1,
  }
}
