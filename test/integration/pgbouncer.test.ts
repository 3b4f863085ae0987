import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import pg from 'pg'
import { probePgbouncer } from '../../src/main/systems/postgres/pgbouncer-reader'
import { act, dropLabTable, isLabShape, labShell, pgLab, restoreLabShape, type PgLab } from '../support/pg-lab'
import { missingIds, SequentialWriter } from '../support/pg-writer'

/**
 * pgbouncer in front of the lab's primary: its admin console read as a status and a card, and our
 * switchover with a writer connected through it — PAUSE before the fence, repoint + RELOAD,
 * RESUME after the promotion — so the writer sees a pause, never an error, and loses nothing.
 */
describe('pgbouncer', () => {
  let lab: PgLab
  const table = 'switchyard_it_pgbouncer'

  beforeAll(async () => {
    lab = await pgLab()
    expect(isLabShape(await restoreLabShape(lab))).toBe(true)
  })

  afterAll(async () => {
    if (!lab) return
    try {
      await restoreLabShape(lab, (m) => console.warn(m))
      await dropLabTable(lab, table)
    } finally {
      await lab.hub.close()
    }
  })

  it('reads pools, clients, servers, SHOW STATS and where each database points; the card says the same', async () => {
    const s = await lab.service.bouncer('lab', 'pgbouncer')
    expect(s.error).toBeUndefined()
    expect(s.version).toMatch(/PgBouncer 1\./)
    expect(s.databases.find((d) => d.name === 'app')).toMatchObject({ host: '127.0.0.1', port: 15432, paused: false })
    expect(s.pools.find((p) => p.database === 'app')?.poolMode).toBe('transaction')
    expect(s.stats.some((x) => x.database === 'app')).toBe(true)
    expect(s.status).toBe('ok')
    const { connections } = await lab.hub.connect('lab')
    const card = await probePgbouncer(connections.endpoint('pgbouncer') as Parameters<typeof probePgbouncer>[0], connections)
    expect(card.system).toBe('pgbouncer')
    expect(card.nodes.map((n) => n.label)).toEqual(['app → 127.0.0.1:15432'])
  })

  it('switches over with a writer through pgbouncer: zero client errors, no acknowledged write lost, pgbouncer repointed', async () => {
    const writer = new SequentialWriter({ ...lab.bouncedWriterOptions(table), intervalMs: 2 })
    await writer.prepare()
    writer.start()
    try {
      await writer.waitForCommits(100)
      const { plan, result } = await act(lab.runner, { kind: 'pg.switchover', newPrimary: 'pg2' })
      const titles = plan.steps.map((x) => x.title)
      const pause = titles.findIndex((t) => t.startsWith('Pause pgbouncer'))
      const fence = titles.findIndex((t) => t.startsWith('Fence pg1'))
      const promote = titles.findIndex((t) => t.startsWith('Promote pg2'))
      const resume = titles.findIndex((t) => t.startsWith('Resume pgbouncer'))
      expect(pause).toBeGreaterThan(-1)
      expect(pause).toBeLessThan(fence)
      expect(resume).toBeGreaterThan(promote)
      expect(plan.steps.flatMap((x) => x.commands)).toContain('[pgbouncer] PAUSE app')
      expect(result.outcome, result.message).toBe('succeeded')
      expect(result.verification.filter((c) => c.name.startsWith('pgbouncer')).every((c) => c.passed)).toBe(true)
      expect(result.verification.some((c) => /server connections of app go to pg2/.test(c.name))).toBe(true)
      await writer.waitForCommits(100, 15_000)
    } finally {
      await writer.stop()
    }
    expect(writer.failures, writer.errors.slice(-3).join(' | ')).toBe(0)
    const lsn = new pg.Client({ ...lab.writerOptions(table), host: '127.0.0.1', port: 15433 })
    await lsn.connect()
    const current = (await lsn.query<{ l: string }>('SELECT pg_current_wal_lsn()::text AS l')).rows[0]!.l
    await lsn.end()
    for (const n of lab.pgNodes) expect(await missingIds(n, lab.writerOptions(table), writer.acked, current)).toEqual([])
    const ini = await labShell(lab.hub, `cat ${lab.lab.pgbouncer.configPath}`)
    expect(ini.stdout).toMatch(/^app = host=127\.0\.0\.1 port=15433 dbname=app$/m)

    // And back: restoring the lab's shape repoints pgbouncer to pg1 the same way.
    expect(isLabShape(await restoreLabShape(lab))).toBe(true)
    expect((await lab.service.bouncer('lab', 'pgbouncer')).databases.find((d) => d.name === 'app')?.port).toBe(15432)
  })
})
