import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../../src/main/app/cli'
import { postgresHandlers } from '../../src/main/systems/postgres/postgres-handlers'
import type { PgTopology } from '../../src/shared/systems/postgres'
import { isLabShape, primaryClient, labShell, pgCtl, pgLab, restoreLabShape, waitTopology, type PgLab } from '../support/pg-lab'
import { SequentialWriter } from '../support/pg-writer'

/** Topology, lag and health read from the real lab, including a standby stopped while polling. */
describe('PostgreSQL topology and health', () => {
  let lab: PgLab
  const clients: pg.Client[] = []

  beforeAll(async () => {
    lab = await pgLab()
    expect(isLabShape(await restoreLabShape(lab))).toBe(true)
    // a file before this one may leave standbys replaying (lag warns for a moment): start from a settled lab
    await waitTopology(lab, 'the lab settled, every standby ok', 60_000, (t) => isLabShape(t) && t.status === 'ok')
  })

  afterAll(async () => {
    for (const c of clients) await c.end().catch(() => undefined)
    if (!lab) return
    try {
      const d = lab.pgNodes[2]!.dataDir
      await labShell(
        lab.hub,
        `${pgCtl(lab, 'pg3', 'status')} >/dev/null || ${pgCtl(lab, 'pg3', '-l', `${d}.log`, '-w', '-t', '60', 'start')} </dev/null >/dev/null`,
      )
      await restoreLabShape(lab, (m) => console.warn(m))
    } finally {
      await lab.hub.close()
    }
  })

  async function client(): Promise<pg.Client> {
    const c = primaryClient(lab.lab)
    await c.connect()
    clients.push(c)
    return c
  }

  it('reads the lab: pg1 primary, pg2 and pg3 streaming through active slots, lag in bytes and seconds', async () => {
    const handlers = postgresHandlers(lab.hub)
    const t = await handlers['pg:topology']({ name: 'lab', endpointId: 'postgres' }, { id: 't', emit: () => undefined, onClose: () => undefined })
    expect(t.primary).toBe('pg1')
    expect(t.status).toBe('ok')
    const p = t.nodes.find((n) => n.name === 'pg1')!
    expect(p.replication.map((r) => [r.applicationName, r.state, r.syncState, r.slotName])).toEqual([
      ['pg2', 'streaming', 'async', 'pg2'],
      ['pg3', 'streaming', 'async', 'pg3'],
    ])
    for (const r of p.replication) for (const k of ['sentLsn', 'writeLsn', 'flushLsn', 'replayLsn'] as const) expect(r[k]).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/)
    for (const s of ['pg2', 'pg3']) {
      const n = t.nodes.find((x) => x.name === s)!
      expect(n.walReceiver).toMatchObject({ status: 'streaming', senderPort: 15432, slotName: s })
      const lag = t.standbys.find((x) => x.standby === s)!
      expect(lag).toMatchObject({ upstream: 'pg1', state: 'streaming', status: 'ok' })
      expect(lag.bytes).toBeGreaterThanOrEqual(0)
      expect(['caught up (idle)', 'streaming']).toContain(lag.label)
    }
  })

  it('says "caught up (idle)" once nothing is written, and measures lag while a writer runs', async () => {
    // PostgreSQL clears replay_lag once a standby reported everything replayed and no WAL followed; background
    // WAL (autovacuum after earlier tests, standby snapshots) can postpone that by a few status intervals.
    const idle = await waitTopology(lab, 'idle standbys', 60_000, (t) => t.standbys.every((s) => s.label === 'caught up (idle)'))
    expect(idle.standbys.every((s) => s.bytes === 0 && s.seconds === 0 && s.status === 'ok')).toBe(true)

    const writer = new SequentialWriter(lab.writerOptions('switchyard_it_topology'))
    await writer.prepare()
    writer.start()
    try {
      await writer.waitForCommits(100)
      const busy = await waitTopology(lab, 'measured replay lag', 10_000, (t) => t.standbys.every((s) => s.label === 'streaming' && s.seconds !== null))
      for (const s of busy.standbys) {
        expect(s.bytes).toBeLessThan(16 * 1024 * 1024)
        expect(s.seconds).toBeLessThan(5)
      }
    } finally {
      await writer.stop()
      const c = await client()
      await c.query('DROP TABLE IF EXISTS switchyard_it_topology')
    }
    const history = await lab.service.lagHistory('lab', 'postgres')
    expect(history.samples.length).toBeGreaterThanOrEqual(2)
    expect(Object.keys(history.samples.at(-1)!.standbys).sort()).toEqual(['pg2', 'pg3'])
  })

  it('follows a cascade: pg3 streaming from the standby pg2', async () => {
    const sql = async (port: number, ...texts: string[]) => {
      const c = new pg.Client({ host: '127.0.0.1', port, user: lab.lab.postgres.user, password: lab.lab.postgres.password, database: 'postgres' })
      await c.connect()
      try {
        for (const t of texts) await c.query(t)
      } finally {
        await c.end()
      }
    }
    const follow = (port: number) =>
      sql(
        15434,
        `ALTER SYSTEM SET primary_conninfo = 'host=127.0.0.1 port=${port} user=replicator password=${lab.lab.postgres.replicationPassword} application_name=pg3'`,
        'SELECT pg_reload_conf()',
      )
    await sql(15433, "SELECT pg_create_physical_replication_slot('pg3', true)")
    try {
      await follow(15433)
      // Settled: pg3 streams from pg2 through pg2's slot, and pg1's walsender for pg3 has gone.
      const t = await waitTopology(
        lab,
        'pg3 cascading from pg2',
        20_000,
        (x) =>
          x.nodes.find((n) => n.name === 'pg3')?.walReceiver?.status === 'streaming' &&
          x.nodes.find((n) => n.name === 'pg3')?.upstream === 'pg2' &&
          x.nodes.find((n) => n.name === 'pg2')!.replication.some((r) => r.applicationName === 'pg3' && r.state === 'streaming') &&
          !x.nodes.find((n) => n.name === 'pg1')!.replication.some((r) => r.applicationName === 'pg3'),
      )
      expect(t.standbys.find((s) => s.standby === 'pg3')).toMatchObject({ upstream: 'pg2', state: 'streaming', status: 'ok' })
      expect(t.nodes.find((n) => n.name === 'pg2')!.replication.map((r) => r.applicationName)).toEqual(['pg3'])
      expect(t.nodes.find((n) => n.name === 'pg2')!.slots.find((s) => s.name === 'pg3')?.active).toBe(true)
      expect(t.nodes.find((n) => n.name === 'pg1')!.slots.find((s) => s.name === 'pg3')?.active).toBe(false)
    } finally {
      await follow(15432)
      await waitTopology(
        lab,
        'pg3 back on pg1',
        20_000,
        (x) => x.nodes.find((n) => n.name === 'pg3')?.upstream === 'pg1' && x.nodes.find((n) => n.name === 'pg2')!.slots.every((s) => !s.active),
      )
      await sql(15433, "SELECT pg_drop_replication_slot('pg3')")
    }
    expect(isLabShape(await waitTopology(lab, 'lab shape', 20_000, isLabShape))).toBe(true)
  })

  it('reports health: connections, a long idle transaction, a lock wait, sizes, wraparound, checkpoints, top statements', async () => {
    const holder = await client()
    const waiter = await client()
    await holder.query('BEGIN')
    await holder.query('LOCK TABLE public.orders IN ACCESS EXCLUSIVE MODE')
    const holderPid = Number((await holder.query('SELECT pg_backend_pid() AS pid')).rows[0].pid)
    const blocked = waiter.query('SELECT count(*) FROM public.orders').catch(() => undefined)
    try {
      await new Promise((r) => setTimeout(r, 300))
      const h = await lab.service.health('lab', 'postgres', 'pg1')
      const n = h.nodes[0]!
      expect(n.role).toBe('primary')
      expect(n.connections!.max).toBe(100)
      expect(n.connections!.total).toBeGreaterThanOrEqual(2)
      expect(n.connections!.idleInTransaction).toBeGreaterThanOrEqual(1)
      expect(n.connections!.waitingOnLocks).toBeGreaterThanOrEqual(1)
      expect(n.longestTransaction?.pid).toBe(holderPid)
      expect(n.longestQuery?.query).toMatch(/count\(\*\) FROM public.orders/)
      expect(n.lockWaits[0]?.blockedBy).toContain(holderPid)
      expect(n.cacheHitRatio).toBeGreaterThan(0)
      expect(n.databases.map((d) => d.name)).toContain('app')
      expect(n.databases.find((d) => d.name === 'app')!.sizeBytes).toBeGreaterThan(1_000_000)
      expect(n.xidWraparound!.age).toBeGreaterThan(0)
      expect(n.xidWraparound!.fraction).toBeLessThan(0.01)
      expect(n.checkpoints!.timed + n.checkpoints!.requested).toBeGreaterThan(0)
      expect(n.topStatements?.available).toBe(true)
      expect(n.topStatements!.rows.length).toBeGreaterThan(0)
      expect(JSON.stringify(n)).not.toContain(lab.lab.postgres.password)
    } finally {
      await holder.query('ROLLBACK')
      await blocked
    }
  })

  it('gives a clear hint when pg_stat_statements is not installed in the database', async () => {
    const env = structuredClone(lab.env)
    env.name = 'lab-pgdb'
    const pgEp = env.endpoints.find((e) => e.kind === 'postgres')!
    if (pgEp.kind === 'postgres') pgEp.database = 'postgres'
    await lab.hub.inventory.save(env, { 'postgres.password': lab.lab.postgres.password })
    const h = await lab.service.health('lab-pgdb', 'postgres', 'pg1')
    expect(h.nodes[0]!.topStatements).toEqual({
      available: false,
      hint: expect.stringMatching(/not installed in database postgres: run CREATE EXTENSION pg_stat_statements/),
      rows: [],
    })
  })

  it('shows a standby stopped mid-poll as down without breaking the view, then sees it return', async () => {
    const seen: PgTopology[] = []
    let polling = true
    const poller = (async () => {
      while (polling) {
        seen.push(await lab.service.topology('lab', 'postgres'))
        await new Promise((r) => setTimeout(r, 50))
      }
    })()
    const stop = await labShell(lab.hub, pgCtl(lab, 'pg3', 'stop', '-m', 'fast', '-w', '-t', '30'))
    expect(stop.code, stop.stderr).toBe(0)
    const down = await waitTopology(lab, 'pg3 down', 15_000, (t) => t.nodes.find((n) => n.name === 'pg3')?.role === 'down')
    polling = false
    await poller
    // Every poll produced a snapshot; none threw.
    expect(seen.length).toBeGreaterThan(1)
    expect(seen.every((t) => t.primary === 'pg1')).toBe(true)
    expect(down.standbys.find((s) => s.standby === 'pg3')).toMatchObject({ status: 'critical', label: 'down' })
    expect(down.standbys.find((s) => s.standby === 'pg2')?.status).toBe('ok')
    expect(down.status).toBe('critical')
    const slot = down.nodes.find((n) => n.name === 'pg1')!.slots.find((s) => s.name === 'pg3')!
    expect(slot.active).toBe(false)

    // The CLI says critical (exit 2) and names pg3.
    const out: string[] = []
    const code = await runCli(['pg', 'status', 'lab', '--endpoint', 'postgres'], { out: (s) => void out.push(s), err: (s) => void out.push(s) }, lab.hub)
    expect(code).toBe(2)
    expect(out.join('')).toMatch(/pg3\s+down/)

    // Some WAL, so the inactive slot visibly retains it.
    const c = await client()
    await c.query("SELECT pg_logical_emit_message(false, 'switchyard-test', repeat('x', 100000))")
    await c.query('SELECT pg_switch_wal()')
    const retained = await waitTopology(
      lab,
      'inactive slot retaining WAL',
      10_000,
      (t) => (t.nodes.find((n) => n.name === 'pg1')!.slots.find((s) => s.name === 'pg3')!.retainedBytes ?? 0) > 0,
    )
    expect(retained.findings.some((f) => /slot pg3 on pg1 is inactive and retains .* of WAL/.test(f.reason))).toBe(true)

    const d = lab.pgNodes[2]!.dataDir
    const start = await labShell(lab.hub, `${pgCtl(lab, 'pg3', '-l', `${d}.log`, '-w', '-t', '60', 'start')} </dev/null >/dev/null`)
    expect(start.code, start.stderr).toBe(0)
    // back streaming, it first replays the WAL the slot kept (lag may show as warn for a moment), then is ok
    const pg3 = (t: PgTopology) => t.standbys.find((s) => s.standby === 'pg3')
    await waitTopology(lab, 'pg3 streaming and caught up again', 30_000, (t) => isLabShape(t) && pg3(t)?.status === 'ok')
  })

  it('prints status and plans from the CLI; a dry run changes nothing', async () => {
    const out: string[] = []
    const io = { out: (s: string) => out.push(s), err: (s: string) => out.push(s) }
    expect(await runCli(['pg', 'status', 'lab', '--endpoint', 'postgres', '--json'], io, lab.hub)).toBe(0)
    expect(JSON.parse(out.join('')).primary).toBe('pg1')
    out.length = 0
    expect(await runCli(['pg', 'switchover', 'lab', '--endpoint', 'postgres', 'pg2', '--dry-run'], io, lab.hub)).toBe(0)
    expect(out.join('')).toMatch(/pg_ctl -D \/tmp\/switchyard-lab\/pg\/pg1 stop -m fast/)
    out.length = 0
    expect(await runCli(['pg', 'switchover', 'lab', '--endpoint', 'postgres', 'pg2'], io, lab.hub)).toBe(2)
    expect(out.join('')).toMatch(/confirm with --confirm pg2/)
    expect(await runCli(['pg', 'switchover', 'lab', '--endpoint', 'postgres', 'pg2', '--confirm', 'pg3'], io, lab.hub)).toBe(2)
    expect(await runCli(['pg', 'switchover', 'lab', '--endpoint', 'postgres'], io, lab.hub)).toBe(2)
    expect(
      await runCli(
        [
          'pg',
          'add-replica',
          'lab',
          '--endpoint',
          'postgres',
          '--name',
          'pg4',
          '--port',
          '15435',
          '--host',
          '127.0.0.1',
          '--data-dir',
          '/tmp',
          '--ssh-host',
          'lab-ssh-postgres',
        ],
        io,
        lab.hub,
      ),
    ).toBe(2)
    expect(isLabShape(await lab.service.topology('lab', 'postgres'))).toBe(true)
  })
})
