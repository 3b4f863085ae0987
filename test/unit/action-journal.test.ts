import { spawnSync } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SqlDatabase } from '../../src/main/core/sqlite/sql-database'
import { describe, expect, it } from 'vitest'
import { stepDifference } from '../../src/main/core/actions/action-runner'
import { ActionJournal, refuseEditUnderRun, STALE_HEARTBEAT_MS, type NewRun } from '../../src/main/core/actions/journal'
import { stepStates, whereStopped } from '../../src/shared/domain/action-runs'
import { withInterrupted } from '../../src/shared/domain/health'

const journalIn = () => {
  const path = join(mkdtempSync(join(tmpdir(), 'switchyard-journal-')), 'switchyard.db')
  return { path, journal: new ActionJournal(path) }
}

const steps = [
  { title: 'Pause pgbouncer', commands: ['PAUSE app'], undo: { title: 'Resume pgbouncer', commands: ['RESUME app'] } },
  { title: 'Fence pg1', commands: ['pg_ctl stop'] },
  { title: 'Promote pg2', commands: ['SELECT pg_promote()'], irreversible: true },
]

const run = (runId: string, over: Partial<NewRun> = {}): NewRun => ({
  runId,
  planId: `plan-${runId}`,
  kind: 'pg.switchover',
  mode: 'run',
  environment: 'lab',
  endpointId: 'postgres',
  targetKey: 'lab/postgres',
  target: 'pg2',
  title: 'Switch over PostgreSQL: pg1 → pg2',
  actor: 'alice',
  request: { newPrimary: 'pg2' },
  planSteps: steps,
  prepared: { state: { topo: 'as read' } },
  ...over,
})

const A = '00000000-0000-4000-8000-00000000000a'
const B = '00000000-0000-4000-8000-00000000000b'
const C = '00000000-0000-4000-8000-00000000000c'

/** A pid that existed and is gone now. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' })
  return Number(child.stdout)
}

describe('action journal', () => {
  it('keeps each step’s intent and outcome, with the facts the steps recorded, across a reopen', () => {
    const { path, journal } = journalIn()
    journal.begin(run(A))
    journal.stepStarted(A, 0, 'Pause pgbouncer')
    journal.stepEnded(A, 0, 'done', 'paused', {})
    journal.stepStarted(A, 1, 'Fence pg1')
    journal.stepEnded(A, 1, 'done', null, { finalLsn: '0/3000028' })
    journal.stepStarted(A, 2, 'Promote pg2')
    journal.close()
    const again = new ActionJournal(path)
    const entry = again.get(A)!
    expect(entry.run.steps.map((s) => [s.index, s.status, s.note])).toEqual([
      [0, 'done', 'paused'],
      [1, 'done', null],
      [2, 'running', null],
    ])
    expect(entry.facts).toEqual({ finalLsn: '0/3000028' })
    expect(entry.request).toEqual({ newPrimary: 'pg2' })
    expect(entry.prepared.state).toEqual({ topo: 'as read' })
    // This process still lives: the run is running, not interrupted, whatever the reopen.
    expect(entry.run.state).toBe('running')
    again.close()
  })

  it('gives one lease per target, naming who holds it, since when and at which step', () => {
    const { journal } = journalIn()
    journal.begin(run(A))
    journal.stepStarted(A, 1, 'Fence pg1')
    expect(() => journal.begin(run(B))).toThrow(
      /^nothing was changed: pg2 is being changed by alice \("Switch over PostgreSQL: pg1 → pg2", pid \d+ on .+, since .+, at step 2 of 3 \(Fence pg1\)\)$/,
    )
    // Another target is free.
    expect(journal.begin(run(C, { targetKey: 'lab/redis' })).state).toBe('running')
    journal.finish(A, 'succeeded', 'done')
    expect(journal.begin(run(B)).state).toBe('running')
    journal.close()
  })

  it('finds a run whose process died, or whose heartbeat went stale, as interrupted; a resume takes its lease over and closes it', () => {
    const { path, journal } = journalIn()
    journal.begin(run(A))
    journal.stepStarted(A, 0, 'Pause pgbouncer')
    journal.stepEnded(A, 0, 'done', null)
    journal.stepStarted(A, 1, 'Fence pg1')
    // As if another process had written it and died.
    const db = new SqlDatabase(path)
    db.prepare('UPDATE action_runs SET pid = ? WHERE run_id = ?').run(deadPid(), A)
    expect(journal.interrupted('lab').map((r) => r.runId)).toEqual([A])
    expect(whereStopped(journal.get(A)!.run)).toBe('stopped in step 2 of 3 (Fence pg1), 1 step done')
    expect(stepStates(journal.get(A)!.run)).toEqual(['done', 'in flight', 'not started'])
    expect(() => journal.begin(run(B))).toThrow(/has an interrupted run 00000000 .*resume it, roll it back or mark it resolved first/)

    journal.begin(run(B, { mode: 'resume', continues: A }))
    expect(journal.get(A)!.run).toMatchObject({ state: 'resumed', closedBy: B })
    expect(journal.interrupted('lab')).toEqual([])
    // A run can be continued once only.
    expect(() => journal.begin(run(C, { mode: 'rollback', continues: A }))).toThrow(/nothing was changed/)

    // A live pid with a heartbeat older than the limit is a hung holder: interrupted too.
    db.prepare('UPDATE action_runs SET heartbeat_at = ? WHERE run_id = ?').run(Date.now() - STALE_HEARTBEAT_MS - 1000, B)
    expect(journal.interrupted('lab').map((r) => r.runId)).toEqual([B])
    db.close()
    journal.close()
  })

  it('a run left open at a safe point (a stop request after PAUSE) shows as interrupted at once', () => {
    const { journal } = journalIn()
    journal.begin(run(A))
    journal.stepStarted(A, 0, 'Pause pgbouncer')
    journal.stepEnded(A, 0, 'done', null)
    journal.abandon(A, 'the app is quitting after step 1 of 3: left open in the journal, resume or roll it back')
    expect(journal.interrupted('lab')[0]).toMatchObject({ runId: A, state: 'interrupted', message: /the app is quitting/ })
    journal.close()
  })

  it('keeps what a succeeded run took next to its prediction: the whole run and the steps that pause writes', async () => {
    const { journal } = journalIn()
    const pausing = [{ ...steps[0]!, pausesWrites: true }, { ...steps[1]!, pausesWrites: true }, steps[2]!]
    const estimate = { duration: { seconds: 1, low: 0.5, high: 2 }, basis: 'a guess', load: { keys: 10 } }
    journal.begin(run(A, { planSteps: pausing, estimate }))
    for (const [i, s] of pausing.entries()) {
      journal.stepStarted(A, i, s.title)
      if (i < 2) await new Promise((r) => setTimeout(r, 40))
      journal.stepEnded(A, i, 'done', null)
    }
    const actual = journal.finish(A, 'succeeded', 'done')!
    expect(actual.writePause).toBeGreaterThanOrEqual(0.08)
    expect(actual.duration).toBeGreaterThanOrEqual(actual.writePause!)
    journal.begin(run(B, { kind: 'pg.failover' }))
    journal.finish(B, 'failed', 'broke')
    expect(journal.measured('lab/postgres', ['pg.switchover', 'pg.failover'])).toEqual([
      { runId: A, kind: 'pg.switchover', at: expect.any(Number), estimate, actual },
    ])
    journal.close()
  })

  it('opens a journal written before runs kept estimates, and adds the columns', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'switchyard-journal-')), 'switchyard.db')
    const old = new SqlDatabase(path)
    old.exec(`CREATE TABLE action_runs (
      run_id TEXT PRIMARY KEY, plan_id TEXT NOT NULL, kind TEXT NOT NULL, mode TEXT NOT NULL,
      environment TEXT NOT NULL, endpoint_id TEXT NOT NULL, target_key TEXT NOT NULL, target TEXT NOT NULL, title TEXT NOT NULL,
      actor TEXT NOT NULL, pid INTEGER NOT NULL, host TEXT NOT NULL, started_at INTEGER NOT NULL, heartbeat_at INTEGER NOT NULL,
      finished_at INTEGER, state TEXT NOT NULL, message TEXT, request TEXT NOT NULL, plan_steps TEXT NOT NULL, prepared TEXT NOT NULL,
      continues TEXT, closed_by TEXT)`)
    old.close()
    const journal = new ActionJournal(path)
    journal.begin(run(A))
    expect(journal.finish(A, 'succeeded', 'done')).toEqual({ duration: expect.any(Number) })
    expect(journal.measured('lab/postgres', ['pg.switchover'])[0]!.estimate).toBeNull()
    journal.close()
  })
})

describe('an inventory change under a run', () => {
  it('is refused when it takes the run’s target away, and allowed otherwise', () => {
    const { journal } = journalIn()
    journal.begin(run(A))
    expect(() => refuseEditUnderRun(journal, 'lab', { name: 'lab', endpointIds: ['postgres', 'redis'] })).not.toThrow()
    expect(() => refuseEditUnderRun(journal, 'lab', { name: 'lab', endpointIds: ['redis'] })).toThrow(
      'nothing was saved: removing endpoint postgres would take the target from a running action ("Switch over PostgreSQL: pg1 → pg2" by alice); wait until it ends',
    )
    expect(() => refuseEditUnderRun(journal, 'lab', { name: 'prod', endpointIds: ['postgres'] })).toThrow(/^nothing was saved: renaming lab would/)
    expect(() => refuseEditUnderRun(journal, 'lab', null)).toThrow(/^nothing was saved: removing lab would/)
    expect(() => refuseEditUnderRun(journal, 'other', null)).not.toThrow()
    journal.finish(A, 'succeeded', 'done')
    expect(() => refuseEditUnderRun(journal, 'lab', null)).not.toThrow()
    journal.close()
  })
})

describe('what changed between the confirmed plan and the one prepared at run time', () => {
  it('names the first step that differs, or the new step count; nothing when the same', () => {
    expect(stepDifference(steps, steps)).toBeUndefined()
    expect(stepDifference(steps, steps.slice(0, 2))).toBe('the plan now has 2 steps instead of 3')
    expect(stepDifference(steps, [steps[0]!, { ...steps[1]!, commands: ['pg_ctl stop -m immediate'] }, steps[2]!])).toBe(
      'step 2 (Fence pg1) now sends other commands',
    )
    expect(stepDifference(steps, [steps[0]!, { title: 'Fence pg3', commands: [] }, steps[2]!])).toBe('step 2 is now "Fence pg3" instead of "Fence pg1"')
    // An undo or a marker is not a different command.
    expect(
      stepDifference(
        steps,
        steps.map((s) => ({ ...s, carried: 'done by run 1' })),
      ),
    ).toBeUndefined()
  })
})

describe('an environment with an interrupted run', () => {
  it('is critical, with the run named first in its reason', () => {
    const health = { status: 'ok' as const, reason: '10 systems ok' }
    expect(withInterrupted(health, [])).toEqual({ ...health, interrupted: [] })
    const r = { title: 'Switch over PostgreSQL: pg1 → pg2', actor: 'alice' }
    expect(withInterrupted(health, [r, { ...r, actor: 'bob' }])).toEqual({
      status: 'critical',
      reason: 'interrupted action: Switch over PostgreSQL: pg1 → pg2 by alice (and 1 more); 10 systems ok',
      interrupted: [r, { ...r, actor: 'bob' }],
    })
  })
})
