import { Binary, Long, MaxKey, MinKey, ObjectId, Timestamp, UUID, type Document } from 'bson'
import { PeerError } from './peer-error'
import { ReplicaSet, type MemberSpec } from './replica-set'
import type { Chunk, CollectionSeed, Migration, PeerTimings, Shard } from './cluster-types'
import { hashedSplitPoints, INT64_MAX, INT64_MIN, keyPoint } from './shard-key-space'

const ts = (ms = Date.now()) => new Timestamp({ t: Math.floor(ms / 1000), i: 1 })
const DEFAULT_CHUNK_MB = 128
/** Every 7.0 cluster shards config.system.sessions on {_id: 1} with one chunk (src/mongo/db/s/sessions_collection_config_server.cpp). */
const SESSIONS: CollectionSeed = { ns: 'config.system.sessions', key: { _id: 1 }, chunksPerShard: {}, chunkBytes: 512 * 1024, chunkDocs: 900 }

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
  chunks: Chunk[] = []
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
  private clock = { t: 0, i: 0 }

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
    if (this.shards.length === 1) this.seed({ ...SESSIONS, chunksPerShard: { [name]: 1 } })
    return shard
  }

  /**
   * The cluster time every reply gossips ($clusterTime and operationTime; src/mongo/db/vector_clock.cpp,
   * https://www.mongodb.com/docs/manual/reference/command/#command-response): it only moves forward.
   * The signature is the all-zero one of a cluster without keys yet.
   */
  clusterTime(): { $clusterTime: Document; operationTime: Timestamp } {
    const t = Math.floor(Date.now() / 1000)
    this.clock = t > this.clock.t ? { t, i: 1 } : { t: this.clock.t, i: this.clock.i + 1 }
    const time = new Timestamp(this.clock)
    return { $clusterTime: { clusterTime: time, signature: { hash: new Binary(Buffer.alloc(20)), keyId: Long.ZERO } }, operationTime: time }
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
    if (db !== 'config' && !this.databases.some((d) => d._id === db))
      this.databases.push({ _id: db, primary: firstShard, partitioned: true, version: { uuid: new UUID(), timestamp: ts(), lastMod: 1 } })
    const uuid = new UUID()
    const epoch = new ObjectId()
    this.collections.push({ _id: seed.ns, lastmodEpoch: epoch, lastmod: new Date(), timestamp: ts(), uuid, key: seed.key, unique: false, noBalance: false })
    const field = Object.keys(seed.key)[0]!
    const total = Object.values(seed.chunksPerShard).reduce((a, b) => a + b, 0)
    const jumbo = new Set(seed.jumbo ?? [])
    const owners = Object.entries(seed.chunksPerShard).flatMap(([shard, n]) => Array<string>(n).fill(shard))
    // A hashed key's bounds are NumberLongs across the int64 range; a ranged key's are every 1000 values.
    const hashed = seed.key[field] === 'hashed'
    const points: unknown[] = hashed ? hashedSplitPoints(total).map((p) => Long.fromBigInt(p)) : Array.from({ length: total - 1 }, (_, i) => (i + 1) * 1000)
    const list: Chunk[] = []
    this.byColl.set(uuid.toHexString(), list)
    for (let i = 0; i < total; i++) {
      const chunk: Chunk = {
        coll: uuid.toHexString(),
        doc: {
          _id: new ObjectId(),
          uuid,
          min: { [field]: i === 0 ? new MinKey() : points[i - 1] },
          max: { [field]: i === total - 1 ? new MaxKey() : points[i] },
          shard: owners[i]!,
          lastmod: new Timestamp({ t: 1, i: i + 1 }),
          onCurrentShardSince: ts(),
          history: [{ validAfter: ts(), shard: owners[i]! }],
          ...(jumbo.has(i) ? { jumbo: true } : {}),
        },
        bytes: seed.chunkBytes,
        docs: seed.chunkDocs,
        singleKey: false,
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

  /**
   * The chunk holding a shard-key value (find) or starting exactly at min (or bounds[0]). Values
   * compare exactly: a hashed key's NumberLong bounds never pass through a double.
   */
  chunkAt(ns: string, where: { find?: Document; min?: Document; bounds?: Document[] }): Chunk {
    const coll = this.collection(ns)
    const field = Object.keys(coll.key as Document)[0]!
    const value = where.find?.[field] ?? where.min?.[field] ?? where.bounds?.[0]?.[field]
    if (value === undefined) throw new PeerError(2, 'BadValue', `the shard key ${field} is missing from the bound`)
    const k = keyPoint(value)
    const exact = where.min !== undefined || where.bounds !== undefined
    const chunk = this.chunksOf(coll).find((c) => {
      const lo = keyPoint(c.doc.min[field])
      return exact ? lo === k : lo <= k && k < keyPoint(c.doc.max[field])
    })
    if (!chunk) throw new PeerError(2, 'BadValue', `no chunk of ${ns} ${exact ? 'starts at' : 'contains'} ${String(value)}`)
    return chunk
  }

  /**
   * Split a chunk at `middle`, or at its median when none is given — for the peer, the middle of the
   * range (a hashed key's values spread evenly, and the ranged seeds are uniform too).
   */
  split(ns: string, chunk: Chunk, middle?: Document): void {
    const field = Object.keys(this.collection(ns).key as Document)[0]!
    const lo = keyPoint(chunk.doc.min[field])
    const hi = keyPoint(chunk.doc.max[field])
    const hashed = (this.collection(ns).key as Document)[field] === 'hashed'
    let at: bigint
    if (middle) {
      at = keyPoint(middle[field])
      if (at <= lo || at >= hi) throw new PeerError(2, 'BadValue', `split point ${String(middle[field])} is not inside the chunk of ${ns}`)
    } else {
      // MinKey/MaxKey ends split as if the range stopped at the neighbouring seed spacing.
      const from = lo < INT64_MIN ? (hashed ? INT64_MIN : hi - 1000n) : lo
      const to = hi > INT64_MAX ? (hashed ? INT64_MAX : lo + 1000n) : hi
      if (chunk.singleKey || to - from < 2n) throw new PeerError(180, 'CannotSplit', `Cannot split chunk of ${ns}: it holds a single shard key value`)
      at = from + (to - from) / 2n
    }
    const point = hashed ? Long.fromBigInt(at) : Number(at)
    const right: Chunk = {
      doc: { ...chunk.doc, _id: new ObjectId(), min: { [field]: point }, history: [{ validAfter: ts(), shard: chunk.doc.shard as string }] },
      coll: chunk.coll,
      bytes: Math.floor(chunk.bytes / 2),
      docs: Math.floor(chunk.docs / 2),
      singleKey: false,
    }
    chunk.doc.max = { [field]: point }
    chunk.bytes -= right.bytes
    chunk.docs -= right.docs
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

  /** Bytes per active shard of a collection, lightest first. */
  private loads(coll: Document): [string, number][] {
    const load = new Map(this.shards.filter((s) => !s.draining).map((s) => [s._id, 0]))
    for (const c of this.chunksOf(coll)) if (load.has(c.doc.shard as string)) load.set(c.doc.shard as string, load.get(c.doc.shard as string)! + c.bytes)
    return [...load].sort((a, b) => a[1] - b[1])
  }

  /** Data on a shard differs enough between shards for a migration (6.0.3+: 3 × chunk size of data). */
  private imbalanced(coll: Document): boolean {
    const sorted = this.loads(coll)
    return sorted.length > 1 && sorted[sorted.length - 1]![1] - sorted[0]![1] >= 3 * this.chunkSizeBytes()
  }

  /**
   * balancerCollectionStatus: whether the balancer would move anything of a collection, and the first
   * reason why (Balancer::getBalancerStatusForNs, src/mongo/db/s/balancer/balancer.cpp;
   * src/mongo/s/request_types/balancer_collection_status.idl). The peer has no zones or defragmentation.
   */
  collectionStatus(ns: string): Document {
    const coll = this.collection(ns)
    const chunkSize = Math.round(this.chunkSizeBytes() / 1024 / 1024)
    const violation = this.chunksOf(coll).some((c) => this.shard(c.doc.shard as string).draining)
      ? 'draining'
      : this.imbalanced(coll)
        ? 'chunksImbalance'
        : null
    return { chunkSize, balancerCompliant: violation === null, ...(violation ? { firstComplianceViolation: violation } : {}), ok: 1 }
  }

  /** Documents and bytes of each collection a shard owns (its members' $collStats and listCollections). */
  shardData(shard: string): Map<string, { docs: number; bytes: number }> {
    const out = new Map<string, { docs: number; bytes: number }>()
    for (const coll of this.collections) {
      const mine = this.chunksOf(coll).filter((c) => c.doc.shard === shard)
      if (mine.length) out.set(coll._id as string, { docs: mine.reduce((a, c) => a + c.docs, 0), bytes: mine.reduce((a, c) => a + c.bytes, 0) })
    }
    return out
  }

  /** Draining shards first, then the collection whose data is most uneven beyond 3 × chunk size. */
  private nextMove(): { ns: string; chunk: Chunk; to: string } | undefined {
    if (!this.shards.some((s) => !s.draining)) return undefined
    for (const coll of this.collections) {
      if (coll.noBalance) continue
      const chunks = this.chunksOf(coll)
      const sorted = this.loads(coll)
      const lightest = sorted[0]![0]
      const draining = chunks.find((c) => !c.doc.jumbo && this.shard(c.doc.shard as string).draining && !this.busy(c))
      if (draining) return { ns: coll._id as string, chunk: draining, to: lightest }
      if (!this.imbalanced(coll)) continue
      const heaviest = sorted[sorted.length - 1]![0]
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

  /**
   * Move one chunk; resolves when committed, rejects with the migration's error. The changelog gets
   * what the shards write: the donor's moveChunk.start (MigrationSourceManager's constructor), the
   * recipient's moveChunk.to and the donor's moveChunk.from with their step timings and a note
   * (MoveTimingHelper::~MoveTimingHelper, src/mongo/db/s/move_timing_helper.cpp), and between them
   * moveChunk.commit on success or, on failure, moveChunk.error with only the range and the shards
   * (MigrationSourceManager::_cleanupOnError, src/mongo/db/s/migration_source_manager.cpp) before the
   * donor's moveChunk.from with note "aborted" and its errmsg.
   */
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
    const donor = this.shard(from).rs.primary?.host ?? from
    const recipient = this.shard(to).rs.primary?.host ?? to
    this.log('moveChunk.start', ns, from, { ...range, from, to }, donor)
    const failing = this.failMigrations > 0
    if (failing) this.failMigrations--
    const steps = (n: number, done: number, took: number) =>
      Object.fromEntries(Array.from({ length: done }, (_, i) => [`step ${i + 1} of ${n}`, i === 3 ? Math.round(took * 0.8) : 1]))
    const migration: Migration = {
      ns,
      chunk,
      from,
      to,
      startedAt,
      done: new Promise<void>((resolve, reject) => {
        setTimeout(() => {
          this.migrations.delete(migration)
          const took = Date.now() - startedAt
          if (failing) {
            const errmsg = `Data transfer error: ${to} failed to clone documents from ${from} :: caused by :: HostUnreachable: simulated network failure`
            this.log('moveChunk.to', ns, to, { ...steps(8, 2, took), ...range, to, from, note: 'aborted', errmsg }, recipient)
            this.log('moveChunk.error', ns, from, { ...range, from, to }, donor)
            this.log('moveChunk.from', ns, from, { ...steps(6, 3, took), ...range, to, from, note: 'aborted', errmsg }, donor)
            reject(new PeerError(6, 'HostUnreachable', errmsg))
            return
          }
          chunk.doc.shard = to
          chunk.doc.lastmod = new Timestamp({ t: (chunk.doc.lastmod as Timestamp).t + 1, i: 0 })
          chunk.doc.onCurrentShardSince = ts()
          ;(chunk.doc.history as Document[]).unshift({ validAfter: ts(), shard: to })
          this.log('moveChunk.to', ns, to, { ...steps(8, 8, took), ...range, to, from, note: 'success' }, recipient)
          this.log(
            'moveChunk.commit',
            ns,
            from,
            {
              ...range,
              from,
              to,
              counts: { cloned: Long.fromNumber(chunk.docs), clonedBytes: Long.fromNumber(chunk.bytes), catchup: Long.ZERO, steady: Long.ZERO },
            },
            donor,
          )
          this.log('moveChunk.from', ns, from, { ...steps(6, 6, took), ...range, to, from, note: 'success' }, donor)
          resolve()
        }, this.timings.migrationMs)
      }),
    }
    this.migrations.add(migration)
    return migration.done
  }

  // ---- shards joining and leaving --------------------------------------------------------------

  dbsOn(shard: string): string[] {
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

  /** A config.changelog entry as ShardingLogging::logChange writes it (src/mongo/db/s/sharding_logging.cpp). */
  log(what: string, ns: string, shard: string, details: Document, server = this.mongosHost): void {
    const now = new Date()
    this.changelog.push({
      _id: `${server}-${now.toISOString()}-${new ObjectId().toHexString()}`,
      server,
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
