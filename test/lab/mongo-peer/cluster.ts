import { Long, MaxKey, MinKey, ObjectId, Timestamp, UUID, type Document } from 'bson'
import { PeerError } from './peer-error'
import { ReplicaSet, type MemberSpec } from './replica-set'

export interface PeerTimings {
  /** From losing a primary to the new one. */
  electionMs: number
  /** One chunk migration, start to commit. */
  migrationMs: number
  /** Pause between balancer rounds. */
  balancerRoundMs: number
}

export interface CollectionSeed {
  ns: string
  key: Document
  /** Chunks per shard, in shard order of the cluster; a range of the key per chunk. */
  chunksPerShard: Record<string, number>
  /** Bytes and documents per chunk (the same for every chunk unless sized below). */
  chunkBytes: number
  chunkDocs: number
  /** Indexes (in collection order) of chunks flagged jumbo. */
  jumbo?: number[]
}

interface Chunk {
  doc: Document
  /** The collection's uuid, as hex. */
  coll: string
  bytes: number
  docs: number
  /** Width of the chunk's key range; 1 means a single shard-key value (cannot be split). */
  width: number
}

interface Shard {
  _id: string
  rs: ReplicaSet
  draining: boolean
  drainingSince: number | null
  topologyTime: Timestamp
}

interface Migration {
  ns: string
  chunk: Chunk
  from: string
  to: string
  startedAt: number
  done: Promise<void>
}

const ts = (ms = Date.now()) => new Timestamp({ t: Math.floor(ms / 1000), i: 1 })
const DEFAULT_CHUNK_MB = 128

/**
 * The state of a simulated MongoDB 7.0 sharded cluster: replica sets (the config server set, the
 * shards and spare sets that can be added), the config database's collections, and a balancer
 * that moves chunks in rounds while it is on and inside its window. Everything a mongos or a
 * member answers is read from here; the peer's commands only translate.
 */
export class ShardedCluster {
  readonly sets = new Map<string, ReplicaSet>()
  readonly shards: Shard[] = []
  readonly databases: Document[] = []
  readonly collections: Document[] = []
  readonly settings: Document[] = [{ _id: 'balancer', mode: 'full', stopped: false }]
  readonly changelog: Document[] = []
  private chunks: Chunk[] = []
  private readonly byColl = new Map<string, Chunk[]>()
  private chunkDocsCache: Document[] | null = null
  private readonly migrations = new Set<Migration>()
  private roundTimer: NodeJS.Timeout | undefined
  private inRound = false
  private rounds = 0
  private roundEnded: (() => void)[] = []
  /** Failures the next migrations meet (tests). */
  failMigrations = 0
  configRs: ReplicaSet

  constructor(
    readonly version: string,
    readonly timings: PeerTimings,
    readonly mongosHost: string,
    config: { name: string; hosts: string[] },
  ) {
    this.configRs = this.addSet(config.name, config.hosts, true)
  }

  addSet(name: string, hosts: readonly string[], configsvr = false, specs: MemberSpec[] = []): ReplicaSet {
    const rs = new ReplicaSet(
      name,
      hosts.map((host, i) => ({ host, spec: specs[i] })),
      configsvr,
      this.timings.electionMs,
    )
    this.sets.set(name, rs)
    return rs
  }

  setOf(host: string): ReplicaSet | undefined {
    for (const rs of this.sets.values()) if (rs.member(host)) return rs
    return undefined
  }

  shard(id: string): Shard {
    const s = this.shards.find((x) => x._id === id)
    if (!s) throw new PeerError(70, 'ShardNotFound', `Shard ${id} not found`)
    return s
  }

  joinShard(rsName: string, name = rsName): Shard {
    const rs = this.sets.get(rsName)
    if (!rs || rs.configsvr) throw new PeerError(96, 'OperationFailed', `no replica set named ${rsName}`)
    const shard: Shard = { _id: name, rs, draining: false, drainingSince: null, topologyTime: ts() }
    this.shards.push(shard)
    return shard
  }

  shardDocs(): Document[] {
    return this.shards.map((s) => ({
      _id: s._id,
      host: s.rs.connectionString(),
      state: 1,
      topologyTime: s.topologyTime,
      ...(s.draining ? { draining: true } : {}),
    }))
  }

  // ---- collections and chunks --------------------------------------------------------------

  seed(seed: CollectionSeed): void {
    const [db] = seed.ns.split('.')
    const firstShard = Object.keys(seed.chunksPerShard)[0]!
    if (!this.databases.some((d) => d._id === db))
      this.databases.push({ _id: db, primary: firstShard, partitioned: true, version: { uuid: new UUID(), timestamp: ts(), lastMod: 1 } })
    const uuid = new UUID()
    const epoch = new ObjectId()
    this.collections.push({ _id: seed.ns, lastmodEpoch: epoch, lastmod: new Date(), timestamp: ts(), uuid, key: seed.key, unique: false, noBalance: false })
    const field = Object.keys(seed.key)[0]!
    const total = Object.values(seed.chunksPerShard).reduce((a, b) => a + b, 0)
    const jumbo = new Set(seed.jumbo ?? [])
    const owners = Object.entries(seed.chunksPerShard).flatMap(([shard, n]) => Array<string>(n).fill(shard))
    const step = 1000
    const list: Chunk[] = []
    this.byColl.set(uuid.toHexString(), list)
    for (let i = 0; i < total; i++) {
      const chunk: Chunk = {
        coll: uuid.toHexString(),
        doc: {
          _id: new ObjectId(),
          uuid,
          min: { [field]: i === 0 ? new MinKey() : i * step },
          max: { [field]: i === total - 1 ? new MaxKey() : (i + 1) * step },
          shard: owners[i]!,
          lastmod: new Timestamp({ t: 1, i: i + 1 }),
          onCurrentShardSince: ts(),
          history: [{ validAfter: ts(), shard: owners[i]! }],
          ...(jumbo.has(i) ? { jumbo: true } : {}),
        },
        bytes: seed.chunkBytes,
        docs: seed.chunkDocs,
        width: jumbo.has(i) ? 1 : step,
      }
      this.chunks.push(chunk)
      list.push(chunk)
    }
    this.chunkDocsCache = null
  }

  chunkDocs(): Document[] {
    return (this.chunkDocsCache ??= this.chunks.map((c) => c.doc))
  }

  collection(ns: string): Document {
    const c = this.collections.find((x) => x._id === ns)
    if (!c) throw new PeerError(118, 'NamespaceNotSharded', `${ns} is not sharded`)
    return c
  }

  /** Ground truth for tests: chunks per shard per namespace. */
  chunkCounts(): Record<string, Record<string, number>> {
    const out: Record<string, Record<string, number>> = {}
    for (const coll of this.collections) {
      const row: Record<string, number> = (out[coll._id as string] = {})
      for (const c of this.chunksOf(coll)) row[c.doc.shard as string] = (row[c.doc.shard as string] ?? 0) + 1
    }
    return out
  }

  /** $shardedDataDistribution: owned documents and bytes per shard per collection. */
  dataDistribution(): Document[] {
    return this.collections.map((coll) => {
      const byShard = new Map<string, { docs: number; bytes: number }>()
      for (const c of this.chunksOf(coll)) {
        const s = byShard.get(c.doc.shard as string) ?? { docs: 0, bytes: 0 }
        s.docs += c.docs
        s.bytes += c.bytes
        byShard.set(c.doc.shard as string, s)
      }
      return {
        ns: coll._id,
        shards: [...byShard].map(([shardName, s]) => ({
          shardName,
          numOrphanedDocs: Long.ZERO,
          numOwnedDocuments: Long.fromNumber(s.docs),
          ownedSizeBytes: Long.fromNumber(s.bytes),
          orphanedSizeBytes: Long.ZERO,
        })),
      }
    })
  }

  private chunksOf(coll: Document): Chunk[] {
    return this.byColl.get((coll.uuid as UUID).toHexString()) ?? []
  }

  /** The chunk holding a shard-key value (find) or starting exactly at min. */
  chunkAt(ns: string, where: { find?: Document; min?: Document; bounds?: Document[] }): Chunk {
    const coll = this.collection(ns)
    const field = Object.keys(coll.key as Document)[0]!
    const value = where.find?.[field] ?? where.min?.[field] ?? where.bounds?.[0]?.[field]
    const key = (v: unknown) => (v instanceof MinKey ? -Infinity : v instanceof MaxKey ? Infinity : Number(v))
    const k = key(value)
    const exact = where.min !== undefined || where.bounds !== undefined
    const chunk = this.chunksOf(coll).find((c) => (exact ? key(c.doc.min[field]) === k : key(c.doc.min[field]) <= k && k < key(c.doc.max[field])))
    if (!chunk) throw new PeerError(2, 'BadValue', `no chunk of ${ns} ${exact ? 'starts at' : 'contains'} ${JSON.stringify(value)}`)
    return chunk
  }

  split(ns: string, chunk: Chunk): void {
    if (chunk.width <= 1) throw new PeerError(180, 'CannotSplit', `Cannot split chunk of ${ns}: it holds a single shard key value`)
    const field = Object.keys(this.collection(ns).key as Document)[0]!
    const lo = chunk.doc.min[field] instanceof MinKey ? Number(chunk.doc.max[field]) - chunk.width : Number(chunk.doc.min[field])
    const mid = lo + Math.floor(chunk.width / 2)
    const right: Chunk = {
      doc: { ...chunk.doc, _id: new ObjectId(), min: { [field]: mid }, history: [{ validAfter: ts(), shard: chunk.doc.shard as string }] },
      coll: chunk.coll,
      bytes: Math.floor(chunk.bytes / 2),
      docs: Math.floor(chunk.docs / 2),
      width: chunk.width - Math.floor(chunk.width / 2),
    }
    chunk.doc.max = { [field]: mid }
    chunk.bytes -= right.bytes
    chunk.docs -= right.docs
    chunk.width = Math.floor(chunk.width / 2)
    // A successful split clears the jumbo flag on both halves.
    delete chunk.doc.jumbo
    delete right.doc.jumbo
    this.chunks.splice(this.chunks.indexOf(chunk) + 1, 0, right)
    const list = this.byColl.get(chunk.coll)!
    list.splice(list.indexOf(chunk) + 1, 0, right)
    this.chunkDocsCache = null
    this.log('split', ns, chunk.doc.shard as string, {
      before: { min: chunk.doc.min, max: right.doc.max },
      left: { min: chunk.doc.min, max: chunk.doc.max },
      right: { min: right.doc.min, max: right.doc.max },
    })
  }

  clearJumbo(chunk: Chunk): void {
    delete chunk.doc.jumbo
  }

  // ---- settings and balancer ---------------------------------------------------------------

  setting(id: string): Document | undefined {
    return this.settings.find((s) => s._id === id)
  }

  chunkSizeBytes(): number {
    return Number(this.setting('chunksize')?.value ?? DEFAULT_CHUNK_MB) * 1024 * 1024
  }

  balancerMode(): 'full' | 'off' {
    const b = this.setting('balancer')
    return b?.mode === 'off' || b?.stopped === true ? 'off' : 'full'
  }

  setBalancer(on: boolean): void {
    const b = this.setting('balancer')!
    b.mode = on ? 'full' : 'off'
    b.stopped = !on
  }

  inWindow(now = new Date()): boolean {
    const w = this.setting('balancer')?.activeWindow as { start?: string; stop?: string } | undefined
    if (!w?.start || !w.stop) return true
    const mins = (s: string) => {
      const [h, m] = s.split(':').map(Number)
      return h! * 60 + m!
    }
    const t = now.getHours() * 60 + now.getMinutes()
    const [a, b] = [mins(w.start), mins(w.stop)]
    return a <= b ? t >= a && t < b : t >= a || t < b
  }

  balancerStatus(): Document {
    return { mode: this.balancerMode(), inBalancerRound: this.inRound, numBalancerRounds: Long.fromNumber(this.rounds), term: Long.fromNumber(1), ok: 1 }
  }

  /** Resolves once no round is running (balancerStop waits for the current one to end). */
  roundOver(): Promise<void> {
    return this.inRound ? new Promise((r) => this.roundEnded.push(r)) : Promise.resolve()
  }

  startBalancer(): void {
    const tick = () => {
      this.roundTimer = setTimeout(() => {
        void this.round().finally(tick)
      }, this.timings.balancerRoundMs)
    }
    tick()
  }

  private async round(): Promise<void> {
    if (this.balancerMode() !== 'full' || !this.inWindow()) return
    this.inRound = true
    this.rounds++
    try {
      const next = this.nextMove()
      if (next) await this.migrate(next.ns, next.chunk, next.to).catch(() => undefined)
    } finally {
      this.inRound = false
      for (const r of this.roundEnded.splice(0)) r()
    }
  }

  /** Draining shards first, then the collection whose data is most uneven beyond 3 × chunk size. */
  private nextMove(): { ns: string; chunk: Chunk; to: string } | undefined {
    const active = this.shards.filter((s) => !s.draining)
    if (!active.length) return undefined
    for (const coll of this.collections) {
      if (coll.noBalance) continue
      const chunks = this.chunksOf(coll)
      const load = new Map(active.map((s) => [s._id, 0]))
      for (const c of chunks) if (load.has(c.doc.shard as string)) load.set(c.doc.shard as string, load.get(c.doc.shard as string)! + c.bytes)
      const sorted = [...load].sort((a, b) => a[1] - b[1])
      const lightest = sorted[0]![0]
      const draining = chunks.find((c) => !c.doc.jumbo && this.shard(c.doc.shard as string).draining && !this.busy(c))
      if (draining) return { ns: coll._id as string, chunk: draining, to: lightest }
      const [heaviest, most] = sorted[sorted.length - 1]!
      if (most - sorted[0]![1] < 3 * this.chunkSizeBytes()) continue
      const chunk = chunks.find((c) => c.doc.shard === heaviest && !c.doc.jumbo && !this.busy(c))
      if (chunk) return { ns: coll._id as string, chunk, to: lightest }
    }
    return undefined
  }

  private busy(c: Chunk): boolean {
    return [...this.migrations].some((m) => m.chunk === c)
  }

  migrationsInProgress(): Migration[] {
    return [...this.migrations]
  }

  /** Move one chunk; resolves when committed, rejects with the migration's error. */
  migrate(ns: string, chunk: Chunk, to: string, forceJumbo = false): Promise<void> {
    const from = chunk.doc.shard as string
    if (from === to) return Promise.resolve()
    this.shard(to)
    if (chunk.doc.jumbo && !forceJumbo) return Promise.reject(new PeerError(46, 'ChunkTooBig', `Chunk too big to move: ${ns} ${JSON.stringify(chunk.doc.min)}`))
    for (const m of this.migrations)
      if (m.from === from || m.to === from || m.from === to || m.to === to)
        return Promise.reject(
          new PeerError(117, 'ConflictingOperationInProgress', `Unable to start new balancer operation because ${m.from} is migrating ${m.ns} to ${m.to}`),
        )
    const range = { min: chunk.doc.min, max: chunk.doc.max }
    const startedAt = Date.now()
    this.log('moveChunk.start', ns, from, { ...range, from, to })
    const failing = this.failMigrations > 0
    if (failing) this.failMigrations--
    const migration: Migration = {
      ns,
      chunk,
      from,
      to,
      startedAt,
      done: new Promise<void>((resolve, reject) => {
        setTimeout(() => {
          this.migrations.delete(migration)
          if (failing) {
            const errmsg = `Data transfer error: ${to} failed to clone documents from ${from}: simulated network failure`
            this.log('moveChunk.error', ns, from, { ...range, from, to, errmsg })
            reject(new PeerError(6, 'HostUnreachable', errmsg))
            return
          }
          const took = Date.now() - startedAt
          chunk.doc.shard = to
          chunk.doc.lastmod = new Timestamp({ t: (chunk.doc.lastmod as Timestamp).t + 1, i: 0 })
          chunk.doc.onCurrentShardSince = ts()
          ;(chunk.doc.history as Document[]).unshift({ validAfter: ts(), shard: to })
          this.log('moveChunk.to', ns, to, {
            ...range,
            'step 1 of 8': 1,
            'step 2 of 8': 1,
            'step 3 of 8': Math.round(took * 0.7),
            'step 4 of 8': Math.round(took * 0.2),
            'step 5 of 8': 2,
            'step 6 of 8': 1,
            'step 7 of 8': 1,
            'step 8 of 8': 0,
            note: 'success',
          })
          this.log('moveChunk.commit', ns, from, {
            ...range,
            from,
            to,
            counts: { cloned: Long.fromNumber(chunk.docs), clonedBytes: Long.fromNumber(chunk.bytes), catchup: Long.ZERO, steady: Long.ZERO },
          })
          this.log('moveChunk.from', ns, from, {
            ...range,
            from,
            to,
            'step 1 of 6': 0,
            'step 2 of 6': 2,
            'step 3 of 6': 3,
            'step 4 of 6': Math.round(took * 0.9),
            'step 5 of 6': 5,
            'step 6 of 6': 1,
            note: 'success',
          })
          resolve()
        }, this.timings.migrationMs)
      }),
    }
    this.migrations.add(migration)
    return migration.done
  }

  // ---- shards joining and leaving --------------------------------------------------------------

  /** removeShard's reply for where the drain stands, completing it when nothing is left. */
  removeShard(id: string): Document {
    const shard = this.shard(id)
    if (!shard.draining) {
      if (this.shards.length === 1) throw new PeerError(20, 'IllegalOperation', 'Operation not allowed because it would remove the last shard')
      if (this.shards.some((s) => s.draining)) throw new PeerError(117, 'ConflictingOperationInProgress', "Can't have more than one draining shard at a time")
      shard.draining = true
      shard.drainingSince = Date.now()
      this.log('removeShard.start', '', id, { shard: id })
      return {
        msg: 'draining started successfully',
        state: 'started',
        shard: id,
        note: 'you need to call moveNonShardedCollection for [] and movePrimary for []',
        dbsToMove: this.dbsOn(id),
        collectionsToMove: [],
        ok: 1,
      }
    }
    const chunks = this.chunks.filter((c) => c.doc.shard === id)
    const dbs = this.dbsOn(id)
    if (!chunks.length && !dbs.length) {
      this.shards.splice(this.shards.indexOf(shard), 1)
      this.log('removeShard', '', id, { shard: id })
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

  private dbsOn(shard: string): string[] {
    return this.databases.filter((d) => d.primary === shard).map((d) => d._id as string)
  }

  async movePrimary(db: string, to: string): Promise<void> {
    const d = this.databases.find((x) => x._id === db)
    if (!d) throw new PeerError(26, 'NamespaceNotFound', `Database ${db} not found`)
    if (this.shard(to).draining) throw new PeerError(20, 'IllegalOperation', `${to} is draining`)
    this.log('movePrimary.start', db, d.primary as string, { database: db, from: d.primary, to })
    await new Promise((r) => setTimeout(r, this.timings.migrationMs))
    d.primary = to
    this.log('movePrimary.commit', db, to, { database: db, to })
  }

  private log(what: string, ns: string, shard: string, details: Document): void {
    const now = new Date()
    this.changelog.push({
      _id: `${this.mongosHost}-${now.toISOString()}-${new ObjectId().toHexString()}`,
      server: this.mongosHost,
      shard,
      clientAddr: '127.0.0.1',
      time: now,
      what,
      ns,
      details,
    })
    if (this.changelog.length > 10_000) this.changelog.splice(0, this.changelog.length - 10_000)
  }

  close(): void {
    clearTimeout(this.roundTimer)
    for (const rs of this.sets.values()) rs.close()
  }
}
