import { Long, ObjectId, Timestamp, type Document } from 'bson'
import { PeerError } from './peer-error'

export interface MemberSpec {
  priority?: number
  votes?: number
  hidden?: boolean
  secondaryDelaySecs?: number
  /** How far this member's replication trails the primary, in seconds. */
  lagSecs?: number
}

export interface Member {
  id: number
  host: string
  priority: number
  votes: number
  hidden: boolean
  secondaryDelaySecs: number
  lagMs: number
  state: 'PRIMARY' | 'SECONDARY' | 'DOWN'
  /** A stepped-down primary is not electable until then. */
  unelectableUntil: number
  startedAt: number
}

export const STATE_CODE = { PRIMARY: 1, SECONDARY: 2, DOWN: 8 } as const

export function optimeOf(ms: number, term: number): Document {
  return { ts: new Timestamp({ t: Math.floor(ms / 1000), i: (ms % 1000) + 1 }), t: Long.fromNumber(term) }
}

/**
 * One replica set of the simulated cluster. Writes are continuous while it has a primary, so a
 * member's optime is "now" minus its lag; without a primary every optime stands still. A
 * step-down leaves the set without a primary for the election delay, then the most caught-up
 * electable member wins and the term goes up.
 */
export class ReplicaSet {
  term = 1
  configVersion = 1
  electionId = new ObjectId()
  private primaryLostAt: number | null = null
  private electionTimer: NodeJS.Timeout | undefined
  lastElection: { at: number; winner: string; tookMs: number } | null = null
  readonly members: Member[]

  constructor(
    readonly name: string,
    hosts: readonly { host: string; spec?: MemberSpec }[],
    readonly configsvr: boolean,
    private readonly electionMs: number,
    /** Oldest oplog entry is this far behind the newest. */
    public oplogWindowMs = 48 * 3600_000,
  ) {
    const now = Date.now()
    this.members = hosts.map(({ host, spec }, id) => ({
      id,
      host,
      priority: spec?.priority ?? 1,
      votes: spec?.votes ?? 1,
      hidden: spec?.hidden ?? false,
      secondaryDelaySecs: spec?.secondaryDelaySecs ?? 0,
      lagMs: (spec?.lagSecs ?? 0) * 1000,
      state: id === 0 ? 'PRIMARY' : 'SECONDARY',
      unelectableUntil: 0,
      startedAt: now,
    }))
  }

  get primary(): Member | undefined {
    return this.members.find((m) => m.state === 'PRIMARY')
  }

  member(host: string): Member | undefined {
    return this.members.find((m) => m.host === host)
  }

  /** The newest write in the set. */
  lastWrite(now = Date.now()): number {
    return this.primaryLostAt ?? now
  }

  optimeMs(m: Member, now = Date.now()): number {
    if (m.state === 'PRIMARY') return this.lastWrite(now)
    return Math.max(0, this.lastWrite(now) - m.lagMs - m.secondaryDelaySecs * 1000)
  }

  connectionString(): string {
    return `${this.name}/${this.members.map((m) => m.host).join(',')}`
  }

  electable(m: Member, now = Date.now()): boolean {
    return m.state === 'SECONDARY' && m.priority > 0 && !m.hidden && m.secondaryDelaySecs === 0 && m.unelectableUntil <= now
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
    me.state = 'SECONDARY'
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
      m.state = 'DOWN'
      if (wasPrimary) this.loseprimary(Date.now())
    } else if (m.state === 'DOWN') m.state = 'SECONDARY'
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
      .sort((a, b) => this.optimeMs(b, now) - this.optimeMs(a, now) || b.priority - a.priority)
    const winner = candidates[0]
    if (!winner) {
      this.electionTimer = setTimeout(() => this.elect(lostAt), this.electionMs)
      return
    }
    this.term++
    this.configVersion++
    this.electionId = new ObjectId()
    winner.state = 'PRIMARY'
    winner.lagMs = 0
    this.primaryLostAt = null
    this.lastElection = { at: now, winner: winner.host, tookMs: now - lostAt }
  }

  close(): void {
    clearTimeout(this.electionTimer)
  }

  hello(host: string, base: Document): Document {
    const me = this.member(host)!
    const visible = this.members.filter((m) => !m.hidden)
    const primary = this.primary
    const now = Date.now()
    const op = optimeOf(this.optimeMs(me, now), this.term)
    return {
      ...base,
      hosts: visible.filter((m) => m.priority > 0).map((m) => m.host),
      passives: visible.filter((m) => m.priority === 0).map((m) => m.host),
      setName: this.name,
      setVersion: this.configVersion,
      isWritablePrimary: me.state === 'PRIMARY',
      secondary: me.state === 'SECONDARY',
      ...(primary ? { primary: primary.host } : {}),
      ...(me.hidden ? { hidden: true } : {}),
      me: host,
      electionId: me.state === 'PRIMARY' ? this.electionId : undefined,
      lastWrite: { opTime: op, lastWriteDate: new Date(this.optimeMs(me, now)), majorityOpTime: op, majorityWriteDate: new Date(this.optimeMs(me, now)) },
      ...(this.configsvr ? { configsvr: 2 } : {}),
    }
  }

  status(self: string): Document {
    const now = Date.now()
    const primary = this.primary
    return {
      set: this.name,
      date: new Date(now),
      myState: STATE_CODE[this.member(self)!.state],
      term: Long.fromNumber(this.term),
      heartbeatIntervalMillis: Long.fromNumber(2000),
      majorityVoteCount: Math.floor(this.members.filter((m) => m.votes > 0).length / 2) + 1,
      writeMajorityCount: Math.floor(this.members.filter((m) => m.votes > 0).length / 2) + 1,
      ...(this.configsvr ? { configsvr: true } : {}),
      optimes: { lastCommittedOpTime: optimeOf(this.lastWrite(now), this.term), appliedOpTime: optimeOf(this.lastWrite(now), this.term) },
      members: this.members.map((m) => {
        const down = m.state === 'DOWN'
        const ms = this.optimeMs(m, now)
        return {
          _id: m.id,
          name: m.host,
          health: down ? 0 : 1,
          state: STATE_CODE[m.state],
          stateStr: down ? '(not reachable/healthy)' : m.state,
          uptime: down ? 0 : Math.floor((now - m.startedAt) / 1000),
          optime: optimeOf(ms, this.term),
          optimeDurable: optimeOf(ms, this.term),
          optimeDate: new Date(ms),
          optimeDurableDate: new Date(ms),
          lastAppliedWallTime: new Date(ms),
          lastDurableWallTime: new Date(ms),
          syncSourceHost: m.state === 'SECONDARY' && primary ? primary.host : '',
          syncSourceId: m.state === 'SECONDARY' && primary ? primary.id : -1,
          configVersion: this.configVersion,
          configTerm: this.term,
          ...(m.host === self ? { self: true } : { lastHeartbeat: new Date(now - 500), lastHeartbeatRecv: new Date(now - 400), pingMs: Long.fromNumber(0) }),
          ...(m.state === 'PRIMARY' ? { electionTime: new Timestamp({ t: Math.floor(now / 1000), i: 1 }), electionDate: new Date(now) } : {}),
        }
      }),
      ok: 1,
    }
  }

  config(): Document {
    return {
      _id: this.name,
      version: this.configVersion,
      term: this.term,
      ...(this.configsvr ? { configsvr: true } : {}),
      protocolVersion: Long.fromNumber(1),
      members: this.members.map((m) => ({
        _id: m.id,
        host: m.host,
        arbiterOnly: false,
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
      },
    }
  }

  /** The first or last entry of a member's oplog, as find({}).sort({$natural: ±1}).limit(1) returns it. */
  oplogEntry(host: string, last: boolean): Document {
    const m = this.member(host)!
    const newest = this.optimeMs(m)
    const ms = last ? newest : newest - this.oplogWindowMs
    return { op: 'n', ns: '', o: { msg: 'periodic noop' }, ...optimeOf(ms, this.term), v: Long.fromNumber(2), wall: new Date(ms) }
  }
}
