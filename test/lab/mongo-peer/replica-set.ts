import { Long, ObjectId, Timestamp, type Document } from 'bson'
import { PeerError } from './peer-error'

/**
 * Member states by code (MemberState, src/mongo/db/repl/member_state.h). The peer produces all of
 * them: PRIMARY/SECONDARY by elections, DOWN by setDown, the others from a member's spec.
 */
export const STATE_CODE = {
  STARTUP: 0,
  PRIMARY: 1,
  SECONDARY: 2,
  RECOVERING: 3,
  STARTUP2: 5,
  UNKNOWN: 6,
  ARBITER: 7,
  DOWN: 8,
  ROLLBACK: 9,
  REMOVED: 10,
} as const
export type MemberStateName = keyof typeof STATE_CODE

/** States whose members hold the set's data and serve reads (the rest answer NotPrimaryOrSecondary). */
const READABLE: ReadonlySet<MemberStateName> = new Set(['PRIMARY', 'SECONDARY'])
/** States that copy the primary's oplog, so their optime trails it. */
const REPLICATING: ReadonlySet<MemberStateName> = new Set(['PRIMARY', 'SECONDARY', 'RECOVERING', 'ROLLBACK'])

export interface InitialSyncSpec {
  /** approxTotalDataSize of the sync source. */
  totalBytes: number
  /** Bytes copied when the peer starts; the copy then advances at bytesPerSec. */
  copiedBytes: number
  bytesPerSec: number
  failedAttempts?: number
}

export interface MemberSpec {
  priority?: number
  votes?: number
  hidden?: boolean
  secondaryDelaySecs?: number
  /** How far this member's replication trails the primary, in seconds. */
  lagSecs?: number
  /** A member that never holds data (arbiterOnly in the config). */
  arbiter?: boolean
  /** A state other than the elected PRIMARY/SECONDARY to start in. */
  state?: Exclude<MemberStateName, 'PRIMARY' | 'SECONDARY' | 'ARBITER' | 'DOWN'>
  initialSync?: InitialSyncSpec
  /** The size of the filesystem holding its dbPath, and what other files take on it. */
  disk?: { totalBytes: number; otherBytes: number }
}

const GIB = 1024 ** 3

export interface Member {
  id: number
  host: string
  priority: number
  votes: number
  hidden: boolean
  arbiter: boolean
  secondaryDelaySecs: number
  lagMs: number
  state: MemberStateName
  /** A stepped-down primary is not electable until then. */
  unelectableUntil: number
  startedAt: number
  initialSync?: InitialSyncSpec & { startedAt: number }
  /** Bumped on every change of this member's state: hello's topologyVersion (src/mongo/db/repl/replication_coordinator_impl.cpp). */
  topology: { processId: ObjectId; counter: number }
  /** The filesystem of its dbPath: dbStats' fsTotalSize, and what is on it besides the data files. */
  disk: { totalBytes: number; otherBytes: number }
}

export function optimeOf(ms: number, term: number): Document {
  return { ts: new Timestamp({ t: Math.floor(ms / 1000), i: (ms % 1000) + 1 }), t: Long.fromNumber(term) }
}

/** The optime of a member with no data yet: Timestamp(0, 0), term -1 (OpTime's null value, src/mongo/db/repl/optime.h). */
const NO_OPTIME = { ts: new Timestamp({ t: 0, i: 0 }), t: Long.fromNumber(-1) }

/**
 * One replica set of the simulated cluster. Writes are continuous while it has a primary, so a
 * member's optime is "now" minus its lag; without a primary every optime stands still. A
 * step-down leaves the set without a primary for the election delay, then the most caught-up
 * electable member wins and the term goes up. Election time is when that happened and stays.
 */
export class ReplicaSet {
  term = 1
  configVersion = 1
  electionId = new ObjectId()
  private primaryLostAt: number | null = null
  private electionTimer: NodeJS.Timeout | undefined
  lastElection: { at: number; winner: string; tookMs: number } | null = null
  /** When the current primary won its election (replSetGetStatus members[].electionTime). */
  private electedAt: number
  private readonly topologyWaiters = new Set<() => void>()
  readonly members: Member[]

  constructor(
    readonly name: string,
    hosts: readonly { host: string; spec?: MemberSpec }[],
    readonly configsvr: boolean,
    private readonly electionMs: number,
    /** Oldest oplog entry is this far behind the newest. */
    public oplogWindowMs = 48 * 3600_000,
    /** The oplog's configured size (replication.oplogSizeMB). */
    public oplogSizeBytes = 990 * 1024 * 1024,
  ) {
    const now = Date.now()
    this.electedAt = now - 3 * 86_400_000
    this.members = hosts.map(({ host, spec }, id) => ({
      id,
      host,
      priority: spec?.arbiter ? 0 : (spec?.priority ?? 1),
      votes: spec?.votes ?? 1,
      hidden: spec?.hidden ?? false,
      arbiter: spec?.arbiter ?? false,
      secondaryDelaySecs: spec?.secondaryDelaySecs ?? 0,
      lagMs: (spec?.lagSecs ?? 0) * 1000,
      state: spec?.arbiter ? 'ARBITER' : (spec?.state ?? (id === 0 ? 'PRIMARY' : 'SECONDARY')),
      unelectableUntil: 0,
      startedAt: now - 3 * 86_400_000,
      ...(spec?.initialSync ? { initialSync: { ...spec.initialSync, startedAt: now } } : {}),
      topology: { processId: new ObjectId(), counter: 0 },
      disk: spec?.disk ?? { totalBytes: 200 * GIB, otherBytes: 6 * GIB },
    }))
  }

  get primary(): Member | undefined {
    return this.members.find((m) => m.state === 'PRIMARY')
  }

  member(host: string): Member | undefined {
    return this.members.find((m) => m.host === host)
  }

  /** Members in the set's configuration (a REMOVED member still runs but is not one of them). */
  configured(): Member[] {
    return this.members.filter((m) => m.state !== 'REMOVED')
  }

  readable(m: Member): boolean {
    return READABLE.has(m.state)
  }

  /** The newest write in the set. */
  lastWrite(now = Date.now()): number {
    return this.primaryLostAt ?? now
  }

  /** When a member's data is from; null while it has none (an arbiter, a member starting or in initial sync). */
  optimeMs(m: Member, now = Date.now()): number | null {
    if (m.state === 'PRIMARY') return this.lastWrite(now)
    if (!REPLICATING.has(m.state) && m.state !== 'DOWN') return null
    return Math.max(0, this.lastWrite(now) - m.lagMs - m.secondaryDelaySecs * 1000)
  }

  connectionString(): string {
    return `${this.name}/${this.configured()
      .filter((m) => !m.arbiter)
      .map((m) => m.host)
      .join(',')}`
  }

  electable(m: Member, now = Date.now()): boolean {
    return m.state === 'SECONDARY' && m.priority > 0 && !m.hidden && m.secondaryDelaySecs === 0 && m.unelectableUntil <= now
  }

  private setState(m: Member, state: MemberStateName): void {
    if (m.state === state) return
    m.state = state
    m.topology.counter++
    for (const wake of this.topologyWaiters) wake()
  }

  /** Resolves at the next change of any member's state (or never, until the caller stops waiting). */
  onTopologyChange(wake: () => void): () => void {
    this.topologyWaiters.add(wake)
    return () => this.topologyWaiters.delete(wake)
  }

  /** replSetStepDown without force, as mongod checks it. */
  stepDown(host: string, stepDownSecs: number, catchUpSecs: number): void {
    const me = this.member(host)
    if (me?.state !== 'PRIMARY') throw new PeerError(10107, 'NotWritablePrimary', "not primary so can't step down")
    if (stepDownSecs < catchUpSecs) throw new PeerError(2, 'BadValue', 'stepdown period must be longer than secondaryCatchUpPeriodSecs')
    const now = Date.now()
    const caughtUp = this.members.filter((m) => m !== me && this.electable(m, now) && m.lagMs <= catchUpSecs * 1000)
    if (!caughtUp.length)
      throw new PeerError(
        262,
        'ExceededTimeLimit',
        `No electable secondaries caught up as of ${new Date(now + catchUpSecs * 1000).toISOString()}. Please use the replSetStepDown command with the argument {force: true} to force node to step down.`,
      )
    this.setState(me, 'SECONDARY')
    me.unelectableUntil = now + stepDownSecs * 1000
    // The secondaries catch up before the old primary lets go.
    for (const m of caughtUp) m.lagMs = 0
    this.loseprimary(now)
  }

  /** Take a member down (or back up); a primary going down triggers an election. */
  setDown(host: string, down: boolean): void {
    const m = this.member(host)
    if (!m) return
    if (down) {
      const wasPrimary = m.state === 'PRIMARY'
      this.setState(m, 'DOWN')
      if (wasPrimary) this.loseprimary(Date.now())
    } else if (m.state === 'DOWN') this.setState(m, m.arbiter ? 'ARBITER' : 'SECONDARY')
  }

  /** Put a member in a state (tests): RECOVERING, ROLLBACK, STARTUP2 with a sync, REMOVED, … */
  setMemberState(host: string, state: MemberStateName, initialSync?: InitialSyncSpec): void {
    const m = this.member(host)
    if (!m) return
    if (initialSync) m.initialSync = { ...initialSync, startedAt: Date.now() }
    const wasPrimary = m.state === 'PRIMARY'
    this.setState(m, state)
    if (state === 'REMOVED' || wasPrimary) this.configVersion++
    if (wasPrimary) this.loseprimary(Date.now())
  }

  private loseprimary(now: number): void {
    this.primaryLostAt = now
    clearTimeout(this.electionTimer)
    this.electionTimer = setTimeout(() => this.elect(now), this.electionMs)
  }

  private elect(lostAt: number): void {
    const now = Date.now()
    const candidates = this.members
      .filter((m) => this.electable(m, now))
      .sort((a, b) => (this.optimeMs(b, now) ?? 0) - (this.optimeMs(a, now) ?? 0) || b.priority - a.priority)
    const winner = candidates[0]
    if (!winner) {
      this.electionTimer = setTimeout(() => this.elect(lostAt), this.electionMs)
      return
    }
    this.term++
    this.configVersion++
    this.electionId = new ObjectId()
    this.setState(winner, 'PRIMARY')
    winner.lagMs = 0
    this.primaryLostAt = null
    this.electedAt = now
    this.lastElection = { at: now, winner: winner.host, tookMs: now - lostAt }
  }

  close(): void {
    clearTimeout(this.electionTimer)
    for (const wake of this.topologyWaiters) wake()
  }

  /** A member whose initial sync has copied everything becomes a SECONDARY. */
  private settle(now: number): void {
    for (const m of this.members)
      if (
        m.state === 'STARTUP2' &&
        m.initialSync &&
        m.initialSync.copiedBytes + ((now - m.initialSync.startedAt) / 1000) * m.initialSync.bytesPerSec >= m.initialSync.totalBytes
      )
        this.setState(m, 'SECONDARY')
  }

  /** A member's own hello (src/mongo/db/repl/hello.idl; jstests/noPassthrough/awaitable_hello.js for topologyVersion). */
  hello(host: string, base: Document): Document {
    this.settle(Date.now())
    const me = this.member(host)!
    if (me.state === 'REMOVED' || me.state === 'STARTUP')
      return {
        ...base,
        isWritablePrimary: false,
        secondary: false,
        info: 'Does not have a valid replica set config',
        isreplicaset: true,
        topologyVersion: this.topologyVersion(me),
      }
    const members = this.configured()
    const visible = members.filter((m) => !m.hidden)
    const primary = this.primary
    const now = Date.now()
    const ms = this.optimeMs(me, now) ?? 0
    const op = ms ? optimeOf(ms, this.term) : NO_OPTIME
    return {
      ...base,
      topologyVersion: this.topologyVersion(me),
      hosts: visible.filter((m) => !m.arbiter && m.priority > 0).map((m) => m.host),
      passives: visible.filter((m) => !m.arbiter && m.priority === 0).map((m) => m.host),
      ...(visible.some((m) => m.arbiter) ? { arbiters: visible.filter((m) => m.arbiter).map((m) => m.host) } : {}),
      setName: this.name,
      setVersion: this.configVersion,
      isWritablePrimary: me.state === 'PRIMARY',
      secondary: me.state === 'SECONDARY',
      ...(me.arbiter ? { arbiterOnly: true } : {}),
      ...(primary ? { primary: primary.host } : {}),
      ...(me.hidden ? { hidden: true } : {}),
      me: host,
      ...(me.state === 'PRIMARY' ? { electionId: this.electionId } : {}),
      lastWrite: { opTime: op, lastWriteDate: new Date(ms), majorityOpTime: op, majorityWriteDate: new Date(ms) },
      ...(this.configsvr ? { configsvr: 2 } : {}),
    }
  }

  topologyVersion(m: Member): Document {
    return { processId: m.topology.processId, counter: Long.fromNumber(m.topology.counter) }
  }

  /** What a member's own replSetGetStatus refuses with, in the states where it has no usable config. */
  statusRefusal(self: string): PeerError | null {
    const me = this.member(self)!
    if (me.state === 'REMOVED') return new PeerError(93, 'InvalidReplicaSetConfig', 'Our replica set config is invalid or we are not a member of it')
    if (me.state === 'STARTUP') return new PeerError(94, 'NotYetInitialized', 'no replset config has been received')
    return null
  }

  private initialSyncStatus(m: Member, now: number): Document {
    const s = m.initialSync!
    const copied = Math.min(s.totalBytes, s.copiedBytes + ((now - s.startedAt) / 1000) * s.bytesPerSec)
    const elapsed = now - s.startedAt
    const failed = s.failedAttempts ?? 0
    return {
      failedInitialSyncAttempts: failed,
      maxFailedInitialSyncAttempts: 10,
      initialSyncStart: new Date(s.startedAt),
      totalInitialSyncElapsedMillis: Long.fromNumber(elapsed),
      initialSyncAttempts: Array.from({ length: failed }, () => ({
        durationMillis: 60_000,
        status: 'HostUnreachable: error fetching oplog during initial sync',
        syncSource: this.primary?.host ?? '',
        rollBackId: 1,
        operationsRetried: 1,
        totalTimeUnreachableMillis: 30_000,
      })),
      approxTotalDataSize: Long.fromNumber(s.totalBytes),
      approxTotalBytesCopied: Long.fromNumber(Math.floor(copied)),
      ...(copied > 0 ? { remainingInitialSyncEstimatedMillis: Long.fromNumber(Math.round(((s.totalBytes - copied) / s.bytesPerSec) * 1000)) } : {}),
      appliedOps: 0,
      initialSyncOplogStart: new Timestamp({ t: Math.floor(s.startedAt / 1000), i: 1 }),
      totalTimeUnreachableMillis: Long.fromNumber(0),
      databases: { databasesToClone: 2, databasesCloned: copied >= s.totalBytes / 2 ? 1 : 0 },
    }
  }

  /**
   * replSetGetStatus as the member `self` answers it (ReplicationCoordinatorImpl::processReplSetGetStatus
   * and TopologyCoordinator::prepareStatusResponse, src/mongo/db/repl/topology_coordinator.cpp;
   * https://www.mongodb.com/docs/v7.0/reference/command/replSetGetStatus/).
   */
  status(self: string): Document {
    const refusal = this.statusRefusal(self)
    if (refusal) throw refusal
    const now = Date.now()
    this.settle(now)
    const me = this.member(self)!
    const members = this.configured()
    const primary = this.primary
    const voting = members.filter((m) => m.votes > 0)
    const majority = Math.floor(voting.length / 2) + 1
    const writableVoting = voting.filter((m) => !m.arbiter)
    const syncSource = (m: Member) => (m.state !== 'PRIMARY' && !m.arbiter && primary && m !== primary && m.state !== 'DOWN' ? primary : undefined)
    const last = this.lastWrite(now)
    const mine = syncSource(me)
    const wall = (ms: number) => new Date(ms)
    return {
      set: this.name,
      date: new Date(now),
      myState: STATE_CODE[me.state],
      term: Long.fromNumber(this.term),
      syncSourceHost: mine?.host ?? '',
      syncSourceId: mine?.id ?? -1,
      heartbeatIntervalMillis: Long.fromNumber(2000),
      majorityVoteCount: majority,
      writeMajorityCount: Math.min(majority, writableVoting.length),
      votingMembersCount: voting.length,
      writableVotingMembersCount: writableVoting.length,
      ...(this.configsvr ? { configsvr: true } : {}),
      optimes: {
        lastCommittedOpTime: optimeOf(last, this.term),
        lastCommittedWallTime: wall(last),
        readConcernMajorityOpTime: optimeOf(last, this.term),
        appliedOpTime: optimeOf(this.optimeMs(me, now) ?? 0, this.term),
        durableOpTime: optimeOf(this.optimeMs(me, now) ?? 0, this.term),
        lastAppliedWallTime: wall(this.optimeMs(me, now) ?? 0),
        lastDurableWallTime: wall(this.optimeMs(me, now) ?? 0),
      },
      lastStableRecoveryTimestamp: new Timestamp({ t: Math.floor(last / 1000) - 1, i: 1 }),
      ...(me.state === 'STARTUP2' && me.initialSync ? { initialSyncStatus: this.initialSyncStatus(me, now) } : {}),
      ...(me.state === 'PRIMARY'
        ? {
            electionCandidateMetrics: {
              lastElectionReason: this.term === 1 ? 'electionTimeout' : 'stepUpRequestSkipDryRun',
              lastElectionDate: new Date(this.electedAt),
              electionTerm: Long.fromNumber(this.term),
              numVotesNeeded: majority,
              priorityAtElection: me.priority,
              electionTimeoutMillis: Long.fromNumber(this.electionMs),
            },
          }
        : {}),
      members: members.map((m) => this.memberStatus(m, m === me, now)),
      ok: 1,
    }
  }

  private memberStatus(m: Member, self: boolean, now: number): Document {
    const down = m.state === 'DOWN'
    const state = down ? 'DOWN' : m.state
    const primary = this.primary
    const ms = this.optimeMs(m, now)
    const hasData = !m.arbiter
    const optime = ms === null ? NO_OPTIME : optimeOf(ms, this.term)
    const source = !down && !m.arbiter && m.state !== 'PRIMARY' && primary ? primary : undefined
    return {
      _id: m.id,
      name: m.host,
      // A member whose heartbeat never came back is health -1 and UNKNOWN (MemberData, src/mongo/db/repl/member_data.h).
      health: down ? 0 : m.state === 'UNKNOWN' ? -1 : 1,
      state: STATE_CODE[state],
      stateStr: down || m.state === 'UNKNOWN' ? '(not reachable/healthy)' : m.state,
      uptime: down ? 0 : Math.floor((now - m.startedAt) / 1000),
      ...(hasData
        ? {
            optime,
            optimeDurable: optime,
            optimeDate: new Date(ms ?? 0),
            optimeDurableDate: new Date(ms ?? 0),
            lastAppliedWallTime: new Date(ms ?? 0),
            lastDurableWallTime: new Date(ms ?? 0),
          }
        : {}),
      syncSourceHost: source?.host ?? '',
      syncSourceId: source?.id ?? -1,
      infoMessage: m.state === 'STARTUP2' ? 'initial sync in progress' : '',
      configVersion: down ? -1 : this.configVersion,
      configTerm: down ? -1 : this.term,
      ...(self
        ? { self: true, lastHeartbeatMessage: '' }
        : {
            lastHeartbeat: new Date(now - 500),
            lastHeartbeatRecv: down ? new Date(now - 60_000) : new Date(now - 400),
            pingMs: Long.fromNumber(down ? 0 : 1),
            lastHeartbeatMessage: down ? `Error connecting to ${m.host} :: caused by :: Connection refused` : '',
            authenticated: !down,
          }),
      ...(m.state === 'PRIMARY'
        ? { electionTime: new Timestamp({ t: Math.floor(this.electedAt / 1000), i: 1 }), electionDate: new Date(Math.floor(this.electedAt / 1000) * 1000) }
        : {}),
    }
  }

  /** replSetGetConfig's config (src/mongo/db/repl/repl_set_config.idl). */
  config(): Document {
    return {
      _id: this.name,
      version: this.configVersion,
      term: this.term,
      ...(this.configsvr ? { configsvr: true } : {}),
      protocolVersion: Long.fromNumber(1),
      writeConcernMajorityJournalDefault: true,
      members: this.configured().map((m) => ({
        _id: m.id,
        host: m.host,
        arbiterOnly: m.arbiter,
        buildIndexes: true,
        hidden: m.hidden,
        priority: m.priority,
        tags: {},
        secondaryDelaySecs: Long.fromNumber(m.secondaryDelaySecs),
        votes: m.votes,
      })),
      settings: {
        chainingAllowed: true,
        heartbeatIntervalMillis: 2000,
        heartbeatTimeoutSecs: 10,
        electionTimeoutMillis: this.electionMs,
        catchUpTimeoutMillis: -1,
        catchUpTakeoverDelayMillis: 30000,
        getLastErrorModes: {},
        getLastErrorDefaults: { w: 1, wtimeout: 0 },
        replicaSetId: new ObjectId('000000000000000000000002'),
      },
    }
  }

  /** The first or last entry of a member's oplog, as find({}).sort({$natural: ±1}).limit(1) returns it. */
  oplogEntry(host: string, last: boolean): Document {
    const m = this.member(host)!
    const newest = this.optimeMs(m) ?? 0
    const ms = last ? newest : newest - this.oplogWindowMs
    return { op: 'n', ns: '', o: { msg: 'periodic noop' }, ...optimeOf(ms, this.term), v: Long.fromNumber(2), wall: new Date(ms) }
  }

  /** $collStats storageStats of local.oplog.rs (a capped collection of oplogSizeBytes). */
  oplogStats(): { storageSize: number } & Document {
    const used = Math.min(this.oplogSizeBytes, Math.round((this.oplogWindowMs / 1000) * 2048))
    const count = Math.round(this.oplogWindowMs / 1000)
    return { size: used, count, avgObjSize: count ? Math.round(used / count) : 0, storageSize: used, capped: true, max: 0, maxSize: this.oplogSizeBytes }
  }
}
