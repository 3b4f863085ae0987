import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { withConsole, showDatabases } from '../../src/main/systems/postgres/pgbouncer-client'
import type { PgbouncerEndpoint } from '../../src/main/systems/postgres/pgbouncer-client'
import type { ActionRun } from '../../src/shared/actions'
import { cli } from '../support/chaos'
import { dropLabTable, isLabShape, pgLab, restoreLabShape, type PgLab } from '../support/pg-lab'
import { missingIds, SequentialWriter } from '../support/pg-writer'

/**
 * The report that started the fault-safe protocol: a switchover pg1 → pg2 through pgbouncer whose
 * process dies between two steps. The CLI runs it in a child process that SIGKILLs itself at a
 * step boundary (SWITCHYARD_FAULT); a new process then finds the interrupted run, and resumes or
 * rolls it back. A writer through pgbouncer runs the whole time and must lose no acknowledged write.
 */
describe('a PostgreSQL switchover killed between two steps', () => {
  let lab: PgLab
  const table = 'switchyard_it_chaos'
  const switchover = ['pg', 'switchover', 'lab', 'pg2', '--endpoint', 'postgres', '--yes']

  beforeAll(async () => {
    lab = await pgLab()
    expect(isLabShape(await restoreLabShape(lab))).toBe(true)
  })

  afterAll(async () => {
    if (!lab) return
    try {
      // Whatever a failed test left interrupted is finished, so the lab is never left fenced or paused.
      for (const r of lab.hub.journal.interrupted('lab')) await cli(lab.dataDir, ['actions', 'resume', 'lab', r.runId, '--yes'])
      await restoreLabShape(lab, (m) => console.warn(m))
      await dropLabTable(lab, table)
    } finally {
      await lab.hub.close()
    }
  })

  async function bouncerState(): Promise<{ paused: boolean; port: number | null }> {
    const { connections } = await lab.hub.connect('lab')
    const dbs = await withConsole(connections.endpoint('pgbouncer') as PgbouncerEndpoint, connections, showDatabases)
    const app = dbs.find((d) => d.name === 'app')!
    return { paused: app.paused, port: app.port }
  }

  /** Start the switchover in a child that kills itself before step `step` (1-based); returns the run as the journal left it. */
  async function killedBefore(step: number, writer: SequentialWriter): Promise<ActionRun> {
    await writer.waitForCommits(50)
    const run = await cli(lab.dataDir, switchover, `kill-before:${step}`)
    expect(run.signal, run.stderr.slice(-800)).toBe('SIGKILL')
    const found = lab.hub.journal.interrupted('lab')
    expect(found).toHaveLength(1)
    const r = found[0]!
    expect(r.state).toBe('interrupted')
    expect(r.steps.filter((s) => s.status === 'done').map((s) => s.index)).toEqual([...Array(step - 1).keys()])
    expect(r.steps.find((s) => s.status === 'running')?.index).toBe(step - 1)
    return r
  }

  async function withWriter(body: (writer: SequentialWriter) => Promise<void>): Promise<void> {
    const writer = new SequentialWriter({ ...lab.bouncedWriterOptions(table), intervalMs: 5 })
    await writer.prepare()
    writer.start()
    try {
      await body(writer)
      await writer.waitForCommits(50, 30_000)
    } finally {
      await writer.stop()
    }
    const primary = (await lab.service.topology('lab', 'postgres')).primary!
    const node = lab.pgNodes.find((n) => n.name === primary)!
    expect(await missingIds(node, lab.writerOptions(table), writer.acked)).toEqual([])
  }

  it('dies right after the fence: status says an interrupted switchover is why there is no primary; resume finishes it and loses nothing', async () => {
    await withWriter(async (writer) => {
      const run = await killedBefore(4, writer)
      expect(run.steps[2]!.title).toBe('Fence pg1: fast shutdown')
      expect(await bouncerState()).toMatchObject({ paused: true })

      const status = await cli(lab.dataDir, ['status', 'lab'])
      expect(status.code).toBe(2)
      expect(status.stdout).toMatch(/CRITICAL lab: interrupted action: Switch over PostgreSQL.*pg1 → pg2/)
      expect(status.stdout).toMatch(/INTERRUPTED, stopped in step 4 of 19 \(Read pg1's final WAL position \(pg_controldata\)\), 3 steps done/)

      const entry = lab.hub.timeline.list('lab', run.startedAt, Date.now()).find((e) => e.source === 'journal')
      expect(entry).toMatchObject({ kind: 'action', severity: 'critical', endpointId: 'postgres' })
      expect(entry!.message).toMatch(/was INTERRUPTED: stopped in step 4 of 19 .*3 steps done; resume, roll back or resolve it$/)

      const plan = await cli(lab.dataDir, ['actions', 'resume', 'lab', run.runId.slice(0, 8), '--dry-run'])
      expect(plan.code, plan.stderr).toBe(0)
      expect(plan.stdout).toMatch(/Resume: Switch over/)
      expect(plan.stdout).toMatch(/3\. Fence pg1: fast shutdown/)

      const resumed = await cli(lab.dataDir, ['actions', 'resume', 'lab', run.runId.slice(0, 8), '--yes'])
      expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0)
      expect(resumed.stdout).toMatch(/^SUCCEEDED/m)
    })
    expect(await bouncerState()).toEqual({ paused: false, port: 15433 })
    const topo = await lab.service.topology('lab', 'postgres')
    expect(topo.primary).toBe('pg2')
    expect(topo.nodes.filter((n) => n.role === 'standby').map((n) => [n.name, n.upstream])).toEqual([
      ['pg1', 'pg2'],
      ['pg3', 'pg2'],
    ])
    const runs = lab.hub.journal.list('lab')
    expect(runs[1]).toMatchObject({ state: 'resumed', closedBy: runs[0]!.runId })
    expect(runs[0]).toMatchObject({ state: 'succeeded', continues: runs[1]!.runId })
    expect(runs[0]!.steps.slice(0, 3).map((s) => s.note)).toEqual(Array(3).fill(`done by run ${runs[1]!.runId.slice(0, 8)}`))
    expect(isLabShape(await restoreLabShape(lab))).toBe(true)
  })

  it('dies after the pause, after the promotion and while rewinding: each resumed to the end', async () => {
    for (const step of [3, 7, 9, 14]) {
      await withWriter(async (writer) => {
        const run = await killedBefore(step, writer)
        const resumed = await cli(lab.dataDir, ['actions', 'resume', 'lab', run.runId, '--yes'])
        expect(resumed.code, `kill before step ${step}: ${resumed.stdout}${resumed.stderr}`).toBe(0)
      })
      expect(await bouncerState(), `kill before step ${step}`).toEqual({ paused: false, port: 15433 })
      expect((await lab.service.topology('lab', 'postgres')).primary).toBe('pg2')
      expect(lab.hub.journal.interrupted('lab')).toEqual([])
      expect(isLabShape(await restoreLabShape(lab))).toBe(true)
    }
  })

  it('dies before the promotion and is rolled back: pg1 leads again, pgbouncer resumed, nothing lost', async () => {
    await withWriter(async (writer) => {
      const run = await killedBefore(5, writer)
      const plan = await cli(lab.dataDir, ['actions', 'rollback', 'lab', run.runId, '--dry-run'])
      expect(plan.stdout).toMatch(/1\. Start pg1 again as the primary/)
      expect(plan.stdout).toMatch(/2\. Resume pgbouncer pgbouncer \(app\)/)
      const back = await cli(lab.dataDir, ['actions', 'rollback', 'lab', run.runId, '--yes'])
      expect(back.code, back.stdout + back.stderr).toBe(0)
      expect(back.stdout).toMatch(/pass {2}pg1 is the only primary/)
    })
    expect(await bouncerState()).toEqual({ paused: false, port: 15432 })
    expect(isLabShape(await lab.service.topology('lab', 'postgres'))).toBe(true)
    expect(lab.hub.journal.list('lab', 2)[1]).toMatchObject({ state: 'rolled-back' })
  })

  it('asked to stop (SIGTERM) during the fence, stops at the next step boundary, says so in the journal, and resumes', async () => {
    await withWriter(async (writer) => {
      await writer.waitForCommits(50)
      let sent = false
      const run = await cli(lab.dataDir, switchover, undefined, 180_000, (stderr, signal) => {
        if (!sent && stderr.includes('[3/19] Fence pg1: fast shutdown\n')) {
          sent = true
          signal('SIGTERM')
        }
      })
      expect(run.code, run.stderr.slice(-500)).toBe(130)
      expect(run.stdout).toMatch(/^CANCELLED .*cancelled after step 3 of 19: left open in the journal, resume or roll it back/m)
      const [left] = lab.hub.journal.interrupted('lab')
      expect(left!.steps.map((s) => s.status)).toEqual(['done', 'done', 'done'])
      expect(left!.message).toMatch(/left open in the journal/)
      const resumed = await cli(lab.dataDir, ['actions', 'resume', 'lab', left!.runId, '--yes'])
      expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0)
    })
    expect(await bouncerState()).toEqual({ paused: false, port: 15433 })
    expect(isLabShape(await restoreLabShape(lab))).toBe(true)
  })

  it('refuses to roll back past the promotion, naming it, and resumes instead', async () => {
    await withWriter(async (writer) => {
      const run = await killedBefore(8, writer)
      const refused = await cli(lab.dataDir, ['actions', 'rollback', 'lab', run.runId, '--yes'])
      expect(refused.code).toBe(1)
      expect(refused.stderr).toMatch(/"Promote pg2" ran, and from there the action can only go forward: resume it instead/)
      expect(lab.hub.journal.interrupted('lab')).toHaveLength(1)
      const resumed = await cli(lab.dataDir, ['actions', 'resume', 'lab', run.runId, '--yes'])
      expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0)
    })
    expect(isLabShape(await restoreLabShape(lab))).toBe(true)
  })
})
