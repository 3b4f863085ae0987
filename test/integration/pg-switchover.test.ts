import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { act, isLabShape, pgLab, restoreLabShape, type PgLab, dropLabTable } from '../support/pg-lab'
import { missingIds, SequentialWriter } from '../support/pg-writer'

/**
 * Switchover pg1 → pg2 and back while a writer commits sequential ids: every acknowledged id must
 * exist on the new primary and on every standby afterwards.
 */
describe('PostgreSQL switchover', () => {
  let lab: PgLab
  let writer: SequentialWriter
  const table = 'switchyard_it_switchover'

  beforeAll(async () => {
    lab = await pgLab()
    const t = await restoreLabShape(lab)
    expect(isLabShape(t)).toBe(true)
    writer = new SequentialWriter(lab.writerOptions(table))
    await writer.prepare()
  })

  afterAll(async () => {
    await writer?.stop()
    if (!lab) return
    try {
      await restoreLabShape(lab, (m) => console.warn(m))
    } finally {
      await writer?.prepare().catch(() => undefined) // empties the table
      await dropLabTable(lab, table)
      await lab.hub.close()
    }
  })

  async function assertNoLoss(primary: string): Promise<void> {
    const opts = lab.writerOptions(table)
    const nodes = lab.pgNodes
    const p = nodes.find((n) => n.name === primary)!
    // The position every standby must reach before counting: the primary's current WAL end.
    const { Client } = (await import('pg')).default
    const c = new Client({ host: p.host, port: p.port, user: opts.user, password: opts.password, database: opts.database })
    await c.connect()
    const lsn = (await c.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn')).rows[0]!.lsn
    await c.end()
    for (const n of nodes) {
      const missing = await missingIds(n, opts, writer.acked, lsn)
      expect(missing, `ids acknowledged but missing on ${n.name}`).toEqual([])
    }
  }

  it('plans with exact commands and refuses a wrong confirmation', async () => {
    const plan = await lab.runner.plan({ environment: 'lab', endpointId: 'postgres', kind: 'pg.switchover', newPrimary: 'pg2' })
    expect(plan.runnable).toBe(true)
    expect(plan.target).toBe('pg2')
    const all = plan.steps.flatMap((s) => s.commands).join('\n')
    expect(all).toContain('pg_ctl -D /tmp/switchyard-lab/pg/pg1 stop -m fast')
    expect(all).toContain('pg_promote(wait => true')
    expect(all).toContain('pg_rewind -D /tmp/switchyard-lab/pg/pg1')
    // the replication password goes to the standbys' ~/.pgpass over SFTP: the plan says so and never shows it
    expect(all).toContain('~/.pgpass ← *:*:replication:')
    expect(all).not.toContain('password=')
    expect(all).not.toContain(lab.lab.postgres.replicationPassword)
    await expect(lab.runner.run(plan.planId, 'pg3')).rejects.toThrow(/confirmation does not match/)
    // Planning changed nothing.
    expect(isLabShape(await lab.service.topology('lab', 'postgres'))).toBe(true)
  })

  it('switches over to pg2 with a writer running and loses no acknowledged commit', async () => {
    writer.start()
    await writer.waitForCommits(200)
    const started = Date.now()
    const { result } = await act(lab.runner, { kind: 'pg.switchover', newPrimary: 'pg2' })
    expect(result.outcome, result.message).toBe('succeeded')
    expect(result.verification.every((v) => v.passed)).toBe(true)
    await writer.waitForCommits(200)
    const outage = writer.maxOutageMs(started)
    console.info(`switchover to pg2: ${result.durationMs} ms, writes unavailable ${outage} ms, ${writer.acked.length} ids acknowledged`)
    expect(outage).toBeLessThan(5000)

    const t = await lab.service.topology('lab', 'postgres')
    expect(t.primary).toBe('pg2')
    for (const s of ['pg1', 'pg3']) expect(t.nodes.find((n) => n.name === s)).toMatchObject({ role: 'standby', upstream: 'pg2' })
    expect(t.nodes.find((n) => n.name === 'pg2')?.slots.map((s) => [s.name, s.active])).toEqual([
      ['pg1', true],
      ['pg3', true],
    ])
    expect(t.nodes.find((n) => n.name === 'pg1')?.slots).toEqual([])
    await writer.stop()
    await assertNoLoss('pg2')
  })

  it('switches back to pg1 with the writer running and loses nothing; the write pause predicted from the first is what the writer saw', async () => {
    writer.start()
    await writer.waitForCommits(200)
    const started = Date.now()
    const { plan, result } = await act(lab.runner, { kind: 'pg.switchover', newPrimary: 'pg1' })
    expect(result.outcome, result.message).toBe('succeeded')
    await writer.waitForCommits(200)
    const outage = writer.maxOutageMs(started) / 1000
    const pause = result.checked.find((c) => c.metric === 'writePause')!
    console.info(`write pause: predicted ${pause.predicted} s, journal ${pause.actual} s, the writer saw ${outage} s`)
    expect(plan.estimate?.basis).toBe('the last run of this action on this target')
    expect(pause.actual).toBeGreaterThanOrEqual(outage * 0.5)
    expect(pause.actual).toBeLessThanOrEqual(result.durationMs / 1000)
    await writer.stop()
    await assertNoLoss('pg1')
    expect(isLabShape(await lab.service.topology('lab', 'postgres'))).toBe(true)
    expect(writer.acked.length).toBeGreaterThan(800)
    // Ids are dense: nothing acknowledged twice, nothing skipped.
    expect(writer.acked).toEqual(Array.from({ length: writer.acked.length }, (_, i) => i + 1))
  })

  it('leaves a cascade below the target alone and flattens it when switching back', async () => {
    const sql = async (port: number, ...texts: string[]) => {
      const { Client } = (await import('pg')).default
      const c = new Client({ host: '127.0.0.1', port, user: lab.lab.postgres.user, password: lab.lab.postgres.password, database: 'postgres' })
      await c.connect()
      try {
        for (const t of texts) await c.query(t)
      } finally {
        await c.end()
      }
    }
    // pg3 streams from pg2 (a cascade), pg1's slot pg3 is dropped as a DBA would.
    await sql(15433, "SELECT pg_create_physical_replication_slot('pg3', true)")
    await sql(
      15434,
      `ALTER SYSTEM SET primary_conninfo = 'host=127.0.0.1 port=15433 user=replicator password=${lab.lab.postgres.replicationPassword} application_name=pg3'`,
      'SELECT pg_reload_conf()',
    )
    const { waitTopology } = await import('../support/pg-lab')
    await waitTopology(
      lab,
      'pg3 cascading from pg2',
      20_000,
      (t) => t.nodes.find((n) => n.name === 'pg3')?.upstream === 'pg2' && t.nodes.find((n) => n.name === 'pg3')?.walReceiver?.status === 'streaming',
    )
    await sql(15432, "SELECT pg_drop_replication_slot('pg3')")

    const there = await act(lab.runner, { kind: 'pg.switchover', newPrimary: 'pg2' })
    expect(there.plan.warnings).toContain('pg3 streams from pg2, not from pg1; it is left as it is')
    expect(there.plan.steps.map((s) => s.title)).not.toContain('Repoint pg3 to pg2 and wait until it streams')
    expect(there.result.outcome, there.result.message).toBe('succeeded')
    const mid = await lab.service.topology('lab', 'postgres')
    expect(mid.nodes.find((n) => n.name === 'pg3')).toMatchObject({ upstream: 'pg2' })

    const back = await act(lab.runner, { kind: 'pg.switchover', newPrimary: 'pg1' })
    expect(back.plan.steps.map((s) => s.title)).toContain('Repoint pg3 to pg1 and wait until it streams')
    expect(back.result.outcome, back.result.message).toBe('succeeded')
    expect(isLabShape(await lab.service.topology('lab', 'postgres'))).toBe(true)
  })

  it('audits the runs', async () => {
    const records = await lab.hub.audit.list(20)
    const finished = records.filter((r) => r.kind === 'pg.switchover' && r.phase === 'finished')
    expect(finished.length).toBeGreaterThanOrEqual(4)
    expect(finished.every((r) => r.result?.outcome === 'succeeded')).toBe(true)
  })
})
