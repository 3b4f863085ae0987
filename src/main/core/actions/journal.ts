import { SqlDatabase } from '../sqlite/sql-database'
import { hostname } from 'node:os'
import { ActionRun, PlanStep, RunActual, RunEstimate, type RunState, type RunStep } from '../../../shared/actions'
import { SwitchyardError } from '../errors'

const SCHEMA = `
CREATE TABLE IF NOT EXISTS action_runs (
  run_id TEXT PRIMARY KEY, plan_id TEXT NOT NULL, kind TEXT NOT NULL, mode TEXT NOT NULL,
  environment TEXT NOT NULL, endpoint_id TEXT NOT NULL, target_key TEXT NOT NULL, target TEXT NOT NULL, title TEXT NOT NULL,
  actor TEXT NOT NULL, pid INTEGER NOT NULL, host TEXT NOT NULL, started_at INTEGER NOT NULL, heartbeat_at INTEGER NOT NULL,
  finished_at INTEGER, state TEXT NOT NULL, message TEXT, request TEXT NOT NULL, plan_steps TEXT NOT NULL, prepared TEXT NOT NULL,
  continues TEXT, closed_by TEXT);
CREATE UNIQUE INDEX IF NOT EXISTS action_lease ON action_runs (target_key) WHERE finished_at IS NULL;
CREATE INDEX IF NOT EXISTS action_runs_env ON action_runs (environment, started_at);
CREATE TABLE IF NOT EXISTS action_steps (
  run_id TEXT NOT NULL, idx INTEGER NOT NULL, title TEXT NOT NULL, status TEXT NOT NULL,
  started_at INTEGER NOT NULL, ended_at INTEGER, note TEXT, facts TEXT, PRIMARY KEY (run_id, idx)) WITHOUT ROWID;
`

/** Columns added after the first release: a journal written before them gains them on open. */
const ADDED_COLUMNS = { estimate: 'TEXT', actual: 'TEXT' }

/** A heartbeat older than this means the holder is hung or gone, even if a process with its pid exists. */
export const STALE_HEARTBEAT_MS = 30_000

/** run: a confirmed plan; resume: the rest of an interrupted run; rollback: its done steps undone; resolve: closed by a person. */
export type RunMode = 'run' | 'resume' | 'rollback' | 'resolve'

const CLOSED_AS: Record<RunMode, RunState> = { run: 'resumed', resume: 'resumed', rollback: 'rolled-back', resolve: 'resolved' }

export interface NewRun {
  runId: string
  planId: string
  kind: string
  mode: RunMode
  environment: string
  endpointId: string
  /** What the lease is on: one unfinished run per target key, across every process on this machine. */
  targetKey: string
  target: string
  title: string
  actor: string
  request: unknown
  planSteps: PlanStep[]
  /** The facts prepare() read and the steps act on. */
  prepared: StoredPrepared
  /** The interrupted run this one resumes or rolls back: its lease passes to this run in the same transaction. */
  continues?: string
  /** What the plan predicted, compared with what the run measures when it succeeds. */
  estimate?: RunEstimate
}

/** A finished run that measured what it took, with what its plan had predicted. */
export interface MeasuredRun {
  runId: string
  kind: string
  at: number
  estimate: RunEstimate | null
  actual: RunActual
}

export interface StoredPrepared {
  state: unknown
  /** Facts inherited from the run it resumes. */
  facts?: Record<string, string>
}

/** A run as stored, with what resume and roll back need beyond the view. */
export interface JournalEntry {
  run: ActionRun
  mode: RunMode
  request: unknown
  prepared: StoredPrepared
  /** The facts steps recorded as they went (the old primary's final LSN, a migration's done slots). */
  facts: Record<string, string>
}

interface RunRow {
  run_id: string
  plan_id: string
  kind: string
  mode: RunMode
  environment: string
  endpoint_id: string
  target_key: string
  target: string
  title: string
  actor: string
  pid: number
  host: string
  started_at: number
  heartbeat_at: number
  finished_at: number | null
  state: RunState
  message: string | null
  request: string
  plan_steps: string
  prepared: string
  continues: string | null
  closed_by: string | null
  estimate: string | null
  actual: string | null
}

interface StepRow {
  idx: number
  title: string
  status: RunStep['status']
  started_at: number
  ended_at: number | null
  note: string | null
  facts: string | null
}

const HOST = hostname()

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Whether the process that holds a run is still there to finish it. */
export function holderAlive(row: Pick<RunRow, 'pid' | 'host' | 'heartbeat_at'>, now = Date.now()): boolean {
  if (now - row.heartbeat_at > STALE_HEARTBEAT_MS) return false
  return row.host !== HOST || pidAlive(row.pid)
}

/**
 * The step journal of every action, in the data folder's database on a connection of its own with
 * synchronous=FULL: a step's intent is on disk before the step starts and its outcome before the
 * next one, so a process killed between any two steps leaves a record of exactly how far it got.
 * An unfinished run is also the lease on its target: a unique index allows one per target, and
 * every process on the machine (app, web mode, CLI, procedures) writes through the same file.
 */
export class ActionJournal {
  private readonly db: SqlDatabase
  private readonly heartbeats = new Map<string, NodeJS.Timeout>()

  constructor(path: string) {
    this.db = new SqlDatabase(path)
    this.db.exec('PRAGMA journal_mode = WAL')
    this.db.exec('PRAGMA synchronous = FULL')
    this.db.exec('PRAGMA busy_timeout = 10000')
    this.db.exec(SCHEMA)
    const columns = new Set(
      this.db
        .prepare<[], { name: string }>('PRAGMA table_info(action_runs)')
        .all()
        .map((c) => c.name),
    )
    for (const [name, type] of Object.entries(ADDED_COLUMNS)) if (!columns.has(name)) this.db.exec(`ALTER TABLE action_runs ADD COLUMN ${name} ${type}`)
  }

  /** Take the target's lease and record the run; refused, naming the holder, when another run has it. */
  begin(run: NewRun): ActionRun {
    const now = Date.now()
    this.db.transaction(() => {
      const held = this.db.prepare<[string], RunRow>('SELECT * FROM action_runs WHERE target_key = ? AND finished_at IS NULL').get(run.targetKey)
      if (held) {
        if (run.continues !== held.run_id) throw leaseRefusal(this.view(held))
        if (holderAlive(held)) throw new SwitchyardError('config', `nothing was changed: run ${held.run_id.slice(0, 8)} is still running in pid ${held.pid}`)
        this.db
          .prepare('UPDATE action_runs SET finished_at = ?, state = ?, closed_by = ? WHERE run_id = ?')
          .run(now, CLOSED_AS[run.mode], run.runId, held.run_id)
      } else if (run.continues) {
        throw new SwitchyardError('config', `nothing was changed: run ${run.continues.slice(0, 8)} is no longer interrupted`)
      }
      this.db
        .prepare(
          `INSERT INTO action_runs (run_id, plan_id, kind, mode, environment, endpoint_id, target_key, target, title, actor, pid, host,
            started_at, heartbeat_at, state, request, plan_steps, prepared, continues, estimate) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,'running',?,?,?,?,?)`,
        )
        .run(
          run.runId,
          run.planId,
          run.kind,
          run.mode,
          run.environment,
          run.endpointId,
          run.targetKey,
          run.target,
          run.title,
          run.actor,
          process.pid,
          HOST,
          now,
          now,
          JSON.stringify(run.request),
          JSON.stringify(run.planSteps),
          JSON.stringify(run.prepared),
          run.continues ?? null,
          run.estimate ? JSON.stringify(run.estimate) : null,
        )
    })
    this.heartbeats.set(
      run.runId,
      setInterval(() => this.db.prepare('UPDATE action_runs SET heartbeat_at = ? WHERE run_id = ?').run(Date.now(), run.runId), 5000).unref(),
    )
    return this.get(run.runId)!.run
  }

  /** Before a step: its intent, on disk before anything is sent. */
  stepStarted(runId: string, index: number, title: string): void {
    this.db
      .prepare("INSERT OR REPLACE INTO action_steps (run_id, idx, title, status, started_at) VALUES (?, ?, ?, 'running', ?)")
      .run(runId, index, title, Date.now())
    this.db.prepare('UPDATE action_runs SET heartbeat_at = ? WHERE run_id = ?').run(Date.now(), runId)
  }

  /** After a step: what came of it and the facts it observed. */
  stepEnded(runId: string, index: number, status: 'done' | 'failed' | 'skipped', note: string | null, facts?: Record<string, string>): void {
    this.db
      .prepare('UPDATE action_steps SET status = ?, ended_at = ?, note = ?, facts = ? WHERE run_id = ? AND idx = ?')
      .run(status, Date.now(), note, facts && Object.keys(facts).length ? JSON.stringify(facts) : null, runId, index)
  }

  /** A step the run this one resumes already did: done, in this run's record too, so a later roll back undoes it. */
  stepCarried(runId: string, index: number, title: string, note: string): void {
    const now = Date.now()
    this.db
      .prepare("INSERT OR REPLACE INTO action_steps (run_id, idx, title, status, started_at, ended_at, note) VALUES (?, ?, ?, 'done', ?, ?, ?)")
      .run(runId, index, title, now, now, note)
  }

  /**
   * The run's end: the lease is released with it. A run that succeeded keeps what it took — the
   * whole run and the steps that pause writes, from the step times already on disk — and returns it.
   */
  finish(runId: string, state: 'succeeded' | 'failed' | 'cancelled', message: string): RunActual | undefined {
    this.stopHeartbeat(runId)
    const now = Date.now()
    const row = this.row(runId)
    const actual = row && state === 'succeeded' ? measure(row, this.steps(runId), now) : undefined
    this.db
      .prepare('UPDATE action_runs SET finished_at = ?, state = ?, message = ?, actual = ? WHERE run_id = ? AND finished_at IS NULL')
      .run(now, state, message, actual ? JSON.stringify(actual) : null, runId)
    return actual
  }

  /**
   * Succeeded runs of these kinds on this target that measured what they took, newest first: whole
   * runs only (a resume's or a roll back's time is not what the action takes).
   */
  measured(targetKey: string, kinds: readonly string[], limit = 10): MeasuredRun[] {
    return this.db
      .prepare<[string], RunRow>(
        "SELECT * FROM action_runs WHERE target_key = ? AND mode = 'run' AND state = 'succeeded' AND actual IS NOT NULL ORDER BY started_at DESC",
      )
      .all(targetKey)
      .filter((r) => kinds.includes(r.kind))
      .slice(0, limit)
      .map((r) => ({
        runId: r.run_id,
        kind: r.kind,
        at: r.started_at,
        estimate: r.estimate ? (RunEstimate.safeParse(JSON.parse(r.estimate)).data ?? null) : null,
        actual: RunActual.parse(JSON.parse(r.actual!)),
      }))
  }

  /**
   * The run stopped at a safe point with done steps still to undo (a shell asked to stop, a
   * cancel after PAUSE): it stays unfinished, holding its lease, and shows as interrupted at once.
   */
  abandon(runId: string, message: string): void {
    this.stopHeartbeat(runId)
    this.db.prepare('UPDATE action_runs SET heartbeat_at = 0, message = ? WHERE run_id = ? AND finished_at IS NULL').run(message, runId)
  }

  private stopHeartbeat(runId: string): void {
    clearInterval(this.heartbeats.get(runId))
    this.heartbeats.delete(runId)
  }

  private row(runId: string): RunRow | undefined {
    return this.db.prepare<[string], RunRow>('SELECT * FROM action_runs WHERE run_id = ?').get(runId)
  }

  private steps(runId: string): StepRow[] {
    return this.db
      .prepare<[string], StepRow>('SELECT idx, title, status, started_at, ended_at, note, facts FROM action_steps WHERE run_id = ? ORDER BY idx')
      .all(runId)
  }

  private view(row: RunRow, steps = this.steps(row.run_id)): ActionRun {
    const state: RunState = row.state === 'running' && !holderAlive(row) ? 'interrupted' : row.state
    return ActionRun.parse({
      runId: row.run_id,
      planId: row.plan_id,
      kind: row.kind,
      environment: row.environment,
      endpointId: row.endpoint_id,
      target: row.target,
      title: row.title,
      actor: row.actor,
      pid: row.pid,
      host: row.host,
      startedAt: row.started_at,
      heartbeatAt: row.heartbeat_at,
      finishedAt: row.finished_at,
      state,
      message: row.message,
      planSteps: PlanStep.array().parse(JSON.parse(row.plan_steps)),
      steps: steps.map((s) => ({ index: s.idx, title: s.title, status: s.status, startedAt: s.started_at, endedAt: s.ended_at, note: s.note })),
      continues: row.continues,
      closedBy: row.closed_by,
    })
  }

  get(runId: string): JournalEntry | undefined {
    const row = this.row(runId)
    if (!row) return undefined
    const steps = this.steps(runId)
    const prepared = JSON.parse(row.prepared) as StoredPrepared
    const facts: Record<string, string> = { ...prepared.facts }
    for (const s of steps) if (s.facts) Object.assign(facts, JSON.parse(s.facts) as Record<string, string>)
    return { run: this.view(row, steps), mode: row.mode, request: JSON.parse(row.request), prepared, facts }
  }

  /** Newest first. */
  list(environment: string, limit = 50): ActionRun[] {
    return this.db
      .prepare<[string, number], RunRow>('SELECT * FROM action_runs WHERE environment = ? ORDER BY started_at DESC LIMIT ?')
      .all(environment, limit)
      .map((r) => this.view(r))
  }

  /** Runs of this environment that hold their lease without a live holder. */
  interrupted(environment: string): ActionRun[] {
    return this.unfinished(environment).filter((r) => r.state === 'interrupted')
  }

  /** Unfinished runs (live or interrupted) of an environment, oldest first. */
  unfinished(environment: string): ActionRun[] {
    return this.db
      .prepare<[string], RunRow>('SELECT * FROM action_runs WHERE environment = ? AND finished_at IS NULL ORDER BY started_at')
      .all(environment)
      .map((r) => this.view(r))
  }

  /** Interrupted runs per environment, every environment (the exporter's gauge). */
  interruptedCounts(): { environment: string; count: number }[] {
    const counts = new Map<string, number>()
    for (const r of this.db.prepare<[], RunRow>('SELECT * FROM action_runs WHERE finished_at IS NULL').all())
      if (!holderAlive(r)) counts.set(r.environment, (counts.get(r.environment) ?? 0) + 1)
    return [...counts].map(([environment, count]) => ({ environment, count }))
  }

  /** The unfinished run holding this target, live or interrupted. */
  holder(targetKey: string): ActionRun | undefined {
    const row = this.db.prepare<[string], RunRow>('SELECT * FROM action_runs WHERE target_key = ? AND finished_at IS NULL').get(targetKey)
    return row ? this.view(row) : undefined
  }

  close(): void {
    for (const id of [...this.heartbeats.keys()]) this.stopHeartbeat(id)
    this.db.close()
  }
}

/** What a run took: start to finish, and the summed time of the steps its plan marks as pausing writes. */
function measure(row: RunRow, steps: StepRow[], now: number): RunActual {
  const planSteps = PlanStep.array().parse(JSON.parse(row.plan_steps))
  const pausing = steps.filter((s) => planSteps[s.idx]?.pausesWrites && s.status === 'done' && s.ended_at !== null)
  const seconds = (ms: number) => Math.round(ms) / 1000
  return {
    duration: seconds(now - row.started_at),
    ...(planSteps.some((p) => p.pausesWrites) ? { writePause: seconds(pausing.reduce((a, s) => a + (s.ended_at! - s.started_at), 0)) } : {}),
  }
}

/** Why a second action on a target is refused: who holds it, since when, and where it is. */
export function leaseRefusal(holder: ActionRun): SwitchyardError {
  const current = holder.steps.at(-1)
  const where = current
    ? `step ${current.index + 1} of ${holder.planSteps.length} (${current.title}${current.status === 'running' ? '' : `, ${current.status}`})`
    : 'before its first step'
  const since = new Date(holder.startedAt).toISOString()
  if (holder.state === 'interrupted')
    return new SwitchyardError(
      'config',
      `nothing was changed: ${holder.target} has an interrupted run ${holder.runId.slice(0, 8)} ("${holder.title}", by ${holder.actor} since ${since}, stopped at ${where}): resume it, roll it back or mark it resolved first (switchyard actions show ${holder.environment} ${holder.runId})`,
    )
  return new SwitchyardError(
    'config',
    `nothing was changed: ${holder.target} is being changed by ${holder.actor} ("${holder.title}", pid ${holder.pid} on ${holder.host}, since ${since}, at ${where})`,
  )
}

/**
 * An environment's inventory may not change under a run in a way that takes its target away: the
 * environment removed or renamed, or the endpoint a run holds removed. Anything else is an edit
 * the run survives (its connections are kept until it ends).
 */
export function refuseEditUnderRun(journal: ActionJournal, environment: string, keeps: { name: string; endpointIds: string[] } | null): void {
  const runs = journal.unfinished(environment).filter((r) => !keeps || keeps.name !== environment || !keeps.endpointIds.includes(r.endpointId))
  const first = runs[0]
  if (!first) return
  const what = keeps ? (keeps.name !== environment ? `renaming ${environment}` : `removing endpoint ${first.endpointId}`) : `removing ${environment}`
  throw new SwitchyardError(
    'config',
    `nothing was saved: ${what} would take the target from ${first.state === 'interrupted' ? 'an interrupted' : 'a running'} action ("${first.title}" by ${first.actor}); ${first.state === 'interrupted' ? 'resume, roll back or resolve it first' : 'wait until it ends'}`,
  )
}
