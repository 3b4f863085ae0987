import type { Socket } from 'node:net'
import { Binary, Long, ObjectId, type Document } from 'bson'
import { Query } from 'mingo'
import { configCollection, updateConfig } from './config-db'
import { Cursors, runPipeline } from './cursors'
import type { ShardedCluster } from './cluster'
import { removeShard } from './shard-removal'
import { PeerError } from './peer-error'
import { collStats, memberCollections, memberDatabases, memberDataBytes, memberDocuments } from './member-catalog'
import { cmdLineOpts, serverStatus, type ProcessStats } from './process-info'
import type { ReplicaSet } from './replica-set'
import { ScramConversation, type ScramUser } from './scram'

export interface PeerUser extends ScramUser {
  /** root may do anything; clusterMonitor only reads. */
  role: 'root' | 'clusterMonitor'
}

/** One client connection: which process it reached and who authenticated on it. */
export interface Session {
  host: string
  role: 'mongos' | 'member'
  connectionId: number
  user?: PeerUser
  scram?: ScramConversation
}

const NOT_READABLE = (host: string) => new PeerError(13436, 'NotPrimaryOrSecondary', `node is not in primary or recovering state (${host})`)

const NO_AUTH = new Set(['hello', 'ismaster', 'ping', 'buildinfo', 'saslstart', 'saslcontinue', 'endsessions', 'getnonce', 'logout'])
const READ_ONLY = new Set([
  ...NO_AUTH,
  'find',
  'getmore',
  'killcursors',
  'aggregate',
  'count',
  'listshards',
  'getshardmap',
  'balancerstatus',
  'replsetgetstatus',
  'replsetgetconfig',
  'serverstatus',
  'connectionstatus',
  'listdatabases',
  'dbstats',
  'listcollections',
  'getparameter',
  'getcmdlineopts',
  'getlog',
  'hostinfo',
])

/** Wire version per major.minor, for hello's maxWireVersion. */
function wireVersion(version: string): number {
  const [maj, min] = version.split('.').map(Number)
  const table: Record<string, number> = { '4.4': 9, '5.0': 13, '6.0': 17, '7.0': 21, '8.0': 25 }
  return table[`${maj}.${min}`] ?? 21
}

const atLeast = (version: string, major: number, minor = 0, patch = 0) => {
  const [a = 0, b = 0, c = 0] = version.split('.').map(Number)
  return a !== major ? a > major : b !== minor ? b > minor : c >= patch
}

/**
 * The commands of mongos and of replica-set members, answered from the simulated cluster in
 * MongoDB 7.0's reply shapes. find and aggregate run through mingo, so filters, sorts,
 * projections and pipelines mean what they mean on a real server.
 */
export class CommandSet {
  private readonly cursors = new Cursors()
  private readonly processes = new Map<string, ProcessStats>()
  private nextPid = 4100
  /** Commands this server "lacks" (answered with CommandNotFound), for tests of old versions. */
  readonly disabled = new Set<string>()

  constructor(
    private readonly cluster: ShardedCluster,
    private readonly users: readonly PeerUser[],
  ) {}

  async run(session: Session, cmd: Document): Promise<Document> {
    const name = Object.keys(cmd)[0] ?? ''
    const lower = name.toLowerCase()
    if (this.disabled.has(lower)) throw new PeerError(59, 'CommandNotFound', `no such command: '${name}'`)
    if (this.users.length && !NO_AUTH.has(lower)) {
      if (!session.user) throw new PeerError(13, 'Unauthorized', `Command ${name} requires authentication`)
      if (session.user.role !== 'root' && !READ_ONLY.has(lower))
        throw new PeerError(13, 'Unauthorized', `not authorized on ${String(cmd.$db)} to execute command { ${name}: ${JSON.stringify(cmd[name])} }`)
    }
    const handler = session.role === 'mongos' ? this.mongos(session, lower) : this.member(session, lower)
    if (!handler) throw new PeerError(59, 'CommandNotFound', `no such command: '${name}'`)
    const ops = this.process(session).opcounters
    if (lower === 'find') ops.query++
    else if (lower === 'getmore') ops.getmore++
    else if (lower === 'update') ops.update++
    else if (lower === 'insert') ops.insert++
    else if (lower === 'delete') ops.delete++
    else ops.command++
    return handler(cmd)
  }

  // ---- per process: connections, traffic, topology version -----------------------------------

  private process(session: Session): ProcessStats {
    let p = this.processes.get(session.host)
    if (!p) {
      p = {
        pid: this.nextPid++,
        startedAt: Date.now() - 3 * 86_400_000,
        topology: new ObjectId(),
        connections: { current: 0, totalCreated: 0 },
        network: { bytesIn: 0, bytesOut: 0, numRequests: 0 },
        opcounters: { insert: 0, query: 0, update: 0, delete: 0, getmore: 0, command: 0 },
      }
      this.processes.set(session.host, p)
    }
    return p
  }

  connected(session: Session, socket: Socket): void {
    const p = this.process(session)
    p.connections.current++
    p.connections.totalCreated++
    socket.once('close', () => {
      p.connections.current--
      p.network.bytesOut += socket.bytesWritten
    })
  }

  received(session: Session, bytes: number): void {
    const p = this.process(session)
    p.network.bytesIn += bytes
    p.network.numRequests++
  }

  private replicaSetOf(session: Session): ReplicaSet | undefined {
    return session.role === 'member' ? this.cluster.setOf(session.host) : undefined
  }

  private topologyVersion(session: Session): Document {
    const rs = this.replicaSetOf(session)
    return rs ? rs.topologyVersion(rs.member(session.host)!) : { processId: this.process(session).topology, counter: Long.ZERO }
  }

  /** Whether a client's topologyVersion is this process's current one (an awaitable hello then waits). */
  topologyCurrent(session: Session, known: Document | undefined): boolean {
    const mine = this.topologyVersion(session)
    return Boolean(known) && String(known!.processId) === String(mine.processId) && String(known!.counter) === String(mine.counter)
  }

  onTopologyChange(session: Session, wake: () => void): () => void {
    return this.replicaSetOf(session)?.onTopologyChange(wake) ?? (() => undefined)
  }

  // ---- shared by every process ---------------------------------------------------------------

  private common(session: Session, name: string): ((cmd: Document) => Promise<Document> | Document) | undefined {
    const c = this.cluster
    switch (name) {
      case 'ping':
        return () => ({ ok: 1 })
      case 'buildinfo':
        return () => ({
          version: c.version,
          versionArray: [...c.version.split('.').map(Number), 0],
          gitVersion: 'switchyard-lab-peer',
          modules: [],
          allocator: 'tcmalloc',
          javascriptEngine: 'mozjs',
          bits: 64,
          debug: false,
          maxBsonObjectSize: 16777216,
          storageEngines: ['wiredTiger'],
          ok: 1,
        })
      case 'endsessions':
      case 'logout':
        return () => ({ ok: 1 })
      case 'saslstart':
        return (cmd) => {
          if (cmd.mechanism !== 'SCRAM-SHA-256') throw new PeerError(2, 'BadValue', `Unsupported mechanism ${String(cmd.mechanism)}`)
          session.scram = new ScramConversation((n) => this.users.find((u) => u.user === n))
          const reply = session.scram.start(Buffer.from((cmd.payload as Binary).buffer).toString('utf8'))
          if (reply === undefined) throw new PeerError(18, 'AuthenticationFailed', 'Authentication failed.')
          return { conversationId: 1, done: false, payload: new Binary(Buffer.from(reply)), ok: 1 }
        }
      case 'saslcontinue':
        return (cmd) => {
          const conv = session.scram
          const reply = conv?.finish(Buffer.from((cmd.payload as Binary).buffer).toString('utf8'))
          if (!conv || reply === undefined) throw new PeerError(18, 'AuthenticationFailed', 'Authentication failed.')
          session.user = conv.user as PeerUser
          return { conversationId: 1, done: true, payload: new Binary(Buffer.from(reply)), ok: 1 }
        }
      case 'getmore':
        return (cmd) => this.cursors.getMore(cmd)
      case 'killcursors':
        return (cmd) => this.cursors.kill(cmd)
      case 'serverstatus':
        return () => serverStatus(session, this.cluster, this.process(session), this.replicaSetOf(session))
      case 'getcmdlineopts':
        return () => cmdLineOpts(session, this.cluster, this.replicaSetOf(session))
      case 'getlog':
        return (cmd) => {
          if (cmd.getLog === '*') return { names: ['global', 'startupWarnings'], ok: 1 }
          return { totalLinesWritten: 0, log: [], ok: 1 }
        }
      case 'hostinfo':
        return () => ({
          system: {
            currentTime: new Date(),
            hostname: session.host,
            cpuAddrSize: 64,
            memSizeMB: Long.fromNumber(24_576),
            numCores: 2,
            cpuArch: 'x86_64',
            numaEnabled: false,
          },
          os: { type: 'Linux', name: 'Debian GNU/Linux', version: '13' },
          extra: {},
          ok: 1,
        })
      case 'connectionstatus':
        return () => ({
          authInfo: {
            authenticatedUsers: session.user ? [{ user: session.user.user, db: 'admin' }] : [],
            authenticatedUserRoles: session.user ? [{ role: session.user.role, db: 'admin' }] : [],
          },
          ok: 1,
        })
      default:
        return undefined
    }
  }

  private helloBase(session: Session): Document {
    return {
      maxBsonObjectSize: 16777216,
      maxMessageSizeBytes: 48000000,
      maxWriteBatchSize: 100000,
      localTime: new Date(),
      logicalSessionTimeoutMinutes: 30,
      connectionId: session.connectionId,
      minWireVersion: 0,
      maxWireVersion: wireVersion(this.cluster.version),
      readOnly: false,
      ok: 1,
    }
  }

  private withAuthMechs(cmd: Document, reply: Document): Document {
    const asked = typeof cmd.saslSupportedMechs === 'string' ? cmd.saslSupportedMechs.replace(/^admin\./, '') : undefined
    if (asked && this.users.some((u) => u.user === asked)) return { ...reply, saslSupportedMechs: ['SCRAM-SHA-256'] }
    return reply
  }

  // ---- mongos --------------------------------------------------------------------------------

  private mongos(session: Session, name: string): ((cmd: Document) => Promise<Document> | Document) | undefined {
    const c = this.cluster
    const v = c.version
    switch (name) {
      case 'hello':
      case 'ismaster':
        return (cmd) =>
          this.withAuthMechs(cmd, {
            ...this.helloBase(session),
            isWritablePrimary: true,
            ismaster: true,
            msg: 'isdbgrid',
            topologyVersion: this.topologyVersion(session),
          })
      case 'balancercollectionstatus':
        return (cmd) => {
          if (cmd.$db !== 'admin') throw new PeerError(13, 'Unauthorized', 'balancerCollectionStatus may only be run against the admin database.')
          return this.cluster.collectionStatus(String(cmd.balancerCollectionStatus))
        }
      case 'listcollections':
        return (cmd) =>
          this.listCollections(cmd, (db) =>
            this.cluster.collections.filter((c) => String(c._id).startsWith(`${db}.`)).map((c) => String(c._id).slice(db.length + 1)),
          )
      case 'listshards':
        return () => ({ shards: c.shardDocs(), ok: 1 })
      case 'getshardmap':
        return () => {
          const map: Record<string, string> = { config: c.configRs.connectionString() }
          for (const s of c.shards) map[s._id] = s.rs.connectionString()
          const hosts: Record<string, string> = {}
          for (const rs of [c.configRs, ...c.shards.map((s) => s.rs)])
            for (const m of rs.members) hosts[m.host] = rs === c.configRs ? 'config' : c.shards.find((s) => s.rs === rs)!._id
          return { map, hosts, connStrings: Object.fromEntries(Object.entries(map).map(([k, cs]) => [cs, k])), ok: 1 }
        }
      case 'balancerstatus':
        return () => c.balancerStatus()
      case 'balancerstart':
        return () => {
          c.setBalancer(true)
          return { ok: 1 }
        }
      case 'balancerstop':
        return async (cmd) => {
          c.setBalancer(false)
          const limit = Number(cmd.maxTimeMS ?? 60_000)
          const ended = await Promise.race([c.roundOver().then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), limit))])
          if (!ended) throw new PeerError(50, 'MaxTimeMSExpired', 'operation exceeded time limit waiting for the balancer round to end')
          return { ok: 1 }
        }
      case 'moverange':
        if (!atLeast(v, 6, 0)) return undefined
        return async (cmd) => {
          const ns = String(cmd.moveRange)
          if (!cmd.toShard) throw new PeerError(40414, 'Location40414', "BSON field 'moveRange.toShard' is missing but a required field")
          if (!cmd.min && !cmd.max) throw new PeerError(2, 'BadValue', 'At least one of min and max must be specified')
          const chunk = c.chunkAt(ns, { min: cmd.min as Document | undefined, find: cmd.min ? undefined : (cmd.max as Document) })
          await c.migrate(ns, chunk, String(cmd.toShard), Boolean(cmd.forceJumbo))
          return { ok: 1 }
        }
      case 'movechunk':
        return async (cmd) => {
          const ns = String(cmd.moveChunk)
          const chunk = c.chunkAt(ns, { find: cmd.find as Document | undefined, bounds: cmd.bounds as Document[] | undefined })
          await c.migrate(ns, chunk, String(cmd.to), Boolean(cmd.forceJumbo))
          return { millis: 0, ok: 1 }
        }
      case 'split':
        return (cmd) => {
          const ns = String(cmd.split)
          const middle = cmd.middle as Document | undefined
          c.split(ns, c.chunkAt(ns, { find: (cmd.find ?? middle) as Document | undefined, bounds: cmd.bounds as Document[] | undefined }), middle)
          return { ok: 1 }
        }
      case 'clearjumboflag':
        return (cmd) => {
          const ns = String(cmd.clearJumboFlag)
          c.clearJumbo(c.chunkAt(ns, { find: cmd.find as Document | undefined, bounds: cmd.bounds as Document[] | undefined }))
          return { ok: 1 }
        }
      case 'addshard':
        return (cmd) => {
          const cs = String(cmd.addShard)
          const m = /^([^/]+)\/(.+)$/.exec(cs)
          if (!m) throw new PeerError(96, 'OperationFailed', `${cs} is not a replica set connection string (setName/host:port,...)`)
          const rs = c.sets.get(m[1]!)
          const seeds = m[2]!.split(',')
          const known = seeds.find((h) => c.setOf(h))
          if (!known) throw new PeerError(6, 'HostUnreachable', `Connection refused: could not reach any host of ${cs}`)
          if (!rs || c.setOf(known) !== rs)
            throw new PeerError(
              96,
              'OperationFailed',
              `in seed list ${cs}, host ${known} does not belong to replica set ${m[1]!}; found ${c.setOf(known)!.name}`,
            )
          if (rs.configsvr) throw new PeerError(96, 'OperationFailed', `${m[1]!} is a config server replica set`)
          if (c.shards.some((s) => s.rs === rs)) throw new PeerError(96, 'OperationFailed', `${m[1]!} is already a shard`)
          const shard = c.joinShard(rs.name, typeof cmd.name === 'string' ? cmd.name : rs.name)
          return { shardAdded: shard._id, ok: 1 }
        }
      case 'removeshard':
        return (cmd) => removeShard(c, String(cmd.removeShard))
      case 'moveprimary':
        return async (cmd) => {
          await c.movePrimary(String(cmd.movePrimary), String(cmd.to))
          return { ok: 1 }
        }
      case 'find':
        return (cmd) => this.cursors.find(cmd, (ns) => configCollection(this.cluster, ns))
      case 'aggregate':
        return (cmd) => this.aggregate(cmd, (ns) => configCollection(this.cluster, ns))
      case 'update':
        return (cmd) => updateConfig(this.cluster, cmd)
      default:
        return this.common(session, name)
    }
  }

  // ---- replica-set members -------------------------------------------------------------------

  private member(session: Session, name: string): ((cmd: Document) => Promise<Document> | Document) | undefined {
    const rs = this.cluster.setOf(session.host)!
    const me = () => rs.member(session.host)!
    const down = () => {
      if (me().state === 'DOWN') throw new PeerError(6, 'HostUnreachable', `${session.host} is down`)
    }
    /** Reads of user data and the oplog: only a primary or a secondary serves them. */
    const readable = () => {
      down()
      if (!rs.readable(me())) throw NOT_READABLE(session.host)
    }
    switch (name) {
      case 'hello':
      case 'ismaster':
        return (cmd) => {
          down()
          return this.withAuthMechs(cmd, rs.hello(session.host, { ...this.helloBase(session), ismaster: me().state === 'PRIMARY' }))
        }
      case 'replsetgetstatus':
        return () => {
          down()
          return rs.status(session.host)
        }
      case 'replsetgetconfig':
        return () => ({ config: rs.config(), ok: 1 })
      case 'replsetstepdown':
        return (cmd) => {
          if (cmd.force) throw new PeerError(2, 'BadValue', 'the lab peer does not simulate a forced step-down')
          rs.stepDown(session.host, Number(cmd.replSetStepDown), Number(cmd.secondaryCatchUpPeriodSecs ?? 10))
          return { ok: 1 }
        }
      case 'listcollections':
        return (cmd) => {
          down()
          return this.listCollections(cmd, (db) => memberCollections(this.cluster, rs, session.host, db))
        }
      case 'dbstats':
        return (cmd) => {
          down()
          return this.dbStats(cmd, rs, session.host)
        }
      case 'listdatabases':
        return (cmd) => {
          down()
          return this.listDatabases(cmd, rs, session.host)
        }
      case 'find':
        return (cmd) => {
          if (cmd.$db !== 'local' || cmd.find !== 'system.replset') readable()
          return this.cursors.find(cmd, (ns) => memberDocuments(rs, session.host, ns, (cmd.sort ?? {}) as Document))
        }
      case 'aggregate':
        return (cmd) => {
          const first = ((cmd.pipeline ?? []) as Document[])[0] ?? {}
          if (!('$collStats' in first) && !(cmd.$db === 'local' && cmd.aggregate === 'system.replset')) readable()
          return this.aggregate(
            cmd,
            (ns) => memberDocuments(rs, session.host, ns, {}),
            (ns) => collStats(this.cluster, rs, session.host, ns, first.$collStats as Document),
          )
        }
      default:
        return this.common(session, name)
    }
  }

  /**
   * dbStats on a member (CmdDbStats, src/mongo/db/commands/dbcommands.cpp, and
   * DatabaseImpl::getStats, src/mongo/db/catalog/database_impl.cpp): sizes divided by `scale`,
   * avgObjSize in bytes, the free-storage fields only with freeStorage: 1, and the filesystem of the
   * dbPath as fsUsedSize / fsTotalSize. A database the member does not hold answers zeros.
   */
  private dbStats(cmd: Document, rs: ReplicaSet, host: string): Document {
    const scale = cmd.scale === undefined ? 1 : Number(cmd.scale)
    if (!Number.isInteger(scale) || scale < 1) throw new PeerError(2, 'BadValue', 'Scale factor must be greater than zero')
    const db = String(cmd.$db)
    const d = memberDatabases(this.cluster, rs, host).get(db)
    const member = rs.member(host)!
    const scaled = (n: number) => Math.floor(n / scale)
    const free = cmd.freeStorage === 1 || cmd.freeStorage === true
    if (!d)
      return {
        db,
        collections: 0,
        views: 0,
        objects: 0,
        avgObjSize: 0,
        dataSize: 0,
        storageSize: 0,
        totalSize: 0,
        indexes: 0,
        indexSize: 0,
        scaleFactor: scale,
        fileSize: 0,
        fsUsedSize: 0,
        fsTotalSize: 0,
        ok: 1,
      }
    const used = member.disk.otherBytes + memberDataBytes(this.cluster, rs, host)
    return {
      db,
      collections: d.collections,
      views: 0,
      objects: d.objects,
      avgObjSize: d.objects ? d.dataSize / d.objects : 0,
      dataSize: scaled(d.dataSize),
      storageSize: scaled(d.storageSize),
      ...(free ? { freeStorageSize: 0 } : {}),
      indexes: d.collections,
      indexSize: scaled(d.indexSize),
      ...(free ? { indexFreeStorageSize: 0 } : {}),
      totalSize: scaled(d.storageSize + d.indexSize),
      ...(free ? { totalFreeStorageSize: 0 } : {}),
      scaleFactor: scale,
      fsUsedSize: scaled(Math.min(used, member.disk.totalBytes)),
      fsTotalSize: scaled(member.disk.totalBytes),
      ok: 1,
    }
  }

  /**
   * listDatabases on a member (src/mongo/db/commands/list_databases.cpp, list_databases_common.h):
   * each database with its size on disk and whether it is empty, the filter applied to those
   * documents, and the total; with nameOnly the names alone and no total.
   */
  private listDatabases(cmd: Document, rs: ReplicaSet, host: string): Document {
    const dbs = [...memberDatabases(this.cluster, rs, host)].map(([name, d]) => {
      const sizeOnDisk = d.storageSize + d.indexSize
      return cmd.nameOnly ? { name } : { name, sizeOnDisk, empty: sizeOnDisk === 0 }
    })
    const listed = cmd.filter ? (new Query(cmd.filter as Document).find(dbs).all() as Document[]) : dbs
    if (cmd.nameOnly) return { databases: listed, ok: 1 }
    const totalSize = listed.reduce((a, d) => a + Number(d.sizeOnDisk), 0)
    return { databases: listed, totalSize, totalSizeMb: Math.floor(totalSize / (1024 * 1024)), ok: 1 }
  }

  /** listCollections: names (and with nameOnly, nothing more) in the server's cursor shape. */
  private listCollections(cmd: Document, names: (db: string) => string[]): Document {
    const db = String(cmd.$db)
    const docs = names(db).map((name) =>
      cmd.nameOnly
        ? { name, type: 'collection' }
        : {
            name,
            type: 'collection',
            options: name === 'oplog.rs' ? { capped: true, size: 990 * 1024 * 1024 } : {},
            info: { readOnly: false },
            idIndex: { v: 2, key: { _id: 1 }, name: '_id_' },
          },
    )
    const filtered = cmd.filter ? (new Query(cmd.filter as Document).find(docs).all() as Document[]) : docs
    return this.cursors.open(`${db}.$cmd.listCollections`, filtered, undefined, false)
  }

  private aggregate(cmd: Document, source: (ns: string) => Document[], collStats?: (ns: string) => Document[]): Document {
    const db = String(cmd.$db)
    let pipeline = (cmd.pipeline ?? []) as Document[]
    let input: Document[]
    const first = pipeline[0] ?? {}
    if ('$shardedDataDistribution' in first) {
      if (!atLeast(this.cluster.version, 6, 0, 3)) throw new PeerError(40324, 'Location40324', "Unrecognized pipeline stage name: '$shardedDataDistribution'")
      if (db !== 'admin') throw new PeerError(6789101, 'Location6789101', 'The $shardedDataDistribution stage can only be run on the admin database')
      input = this.cluster.dataDistribution()
      pipeline = pipeline.slice(1)
    } else if ('$collStats' in first) {
      if (!collStats) throw new PeerError(40324, 'Location40324', 'the lab peer answers $collStats on replica-set members only')
      input = collStats(`${db}.${String(cmd.aggregate)}`)
      pipeline = pipeline.slice(1)
    } else if (cmd.aggregate === 1)
      throw new PeerError(73, 'InvalidNamespace', '{aggregate: 1} is not valid for the lab peer except with $shardedDataDistribution')
    else input = source(`${db}.${String(cmd.aggregate)}`)
    const out = pipeline.length ? runPipeline(pipeline, input) : input
    const batch = (cmd.cursor as Document | undefined)?.batchSize as number | undefined
    return this.cursors.open(`${db}.${String(cmd.aggregate)}`, out, batch, false)
  }
}
