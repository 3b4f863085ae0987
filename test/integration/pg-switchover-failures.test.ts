import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { switchoverOperation } from '../../src/main/systems/postgres/actions/switchover'
import { readTopology } from '../../src/main/systems/postgres/postgres-reader'
import type { OpContext } from '../../src/main/systems/postgres/postgres-ops'
import { act, isLabShape, labShell, pgLab, restoreLabShape, waitTopology, type PgLab } from '../support/pg-lab'

/**
 * When a switchover step fails the cluster must be left in a known state and the message must say
 * which and what to do next: before the promotion the old primary comes back; after it, the new
 * primary keeps serving and the old one waits for "pg rejoin".
 */
describe('PostgreSQL switchover failures', () => {
  let lab: PgLab
  const blocker = '/tmp/switchyard-lab/pg/pg1.switchyard-conf'

  async function sql(port: number, text: string): Promise<void> {
    const c = new pg.Client({ host: '127.0.0.1', port, user: lab.lab.postgres.user, password: lab.lab.postgres.password, database: 'postgres' })
    await c.connect()
    try {
      await c.query(text)
    } finally {
      await c.end()
    }
  }

  beforeAll(async () => {
    lab = await pgLab()
    expect(isLabShape(await restoreLabShape(lab))).toBe(true)
  })

  afterAll(async () => {
    if (!lab) return
    try {
      await labShell(lab.hub, `rm -f ${blocker}`)
      await sql(15433, 'SELECT pg_wal_replay_resume()').catch(() => undefined)
      await restoreLabShape(lab, (m) => console.warn(m))
    } finally {
      await lab.hub.close()
    }
  })

  it('refuses to start while the target has WAL replay paused', async () => {
    await sql(15433, 'SELECT pg_wal_replay_pause()')
    try {
      const plan = await lab.runner.plan({ environment: 'lab', endpointId: 'postgres', kind: 'pg.switchover', newPrimary: 'pg2' })
      expect(plan.runnable).toBe(false)
      expect(plan.prechecks.find((c) => !c.passed)?.name).toBe('replay running on pg2')
    } finally {
      await sql(15433, 'SELECT pg_wal_replay_resume()')
    }
  })

  it('rolls back to the old primary when the target does not replay its final WAL before the promotion', async () => {
    const { endpoint, connections } = await lab.service.resolve('lab', 'postgres')
    const env = { environment: 'lab', endpoint, connections, bouncers: [] }
    const proc = await switchoverOperation(
      env,
      { environment: 'lab', endpointId: 'postgres', kind: 'pg.switchover', newPrimary: 'pg2' },
      await readTopology('lab', endpoint, connections),
      { replayWaitMs: 2000 },
    )
    const ctx: OpContext = { ...env, signal: new AbortController().signal, progress: () => undefined, facts: {} }
    const wait = proc.ops.findIndex((o) => o.title.startsWith('Wait until pg2 replayed'))
    expect(wait).toBe(3)
    await proc.ops[0]!.run(ctx) // checkpoint
    await sql(15433, 'SELECT pg_wal_replay_pause()') // pg2 receives but does not replay the final checkpoint
    try {
      await proc.ops[1]!.run(ctx) // fence pg1
      await proc.ops[2]!.run(ctx) // read its final position
      await expect(proc.ops[wait]!.run(ctx)).rejects.toThrow(/pg2 replaying past .*not done after 2 s/)
      const said = await proc.recover!(wait, ctx)
      expect(said).toBe('Rolled back: pg1 restarted as the primary; pg2 is still its standby. Nothing else changed.')
    } finally {
      await sql(15433, 'SELECT pg_wal_replay_resume()')
    }
    const t = await waitTopology(lab, 'lab shape after rollback', 30_000, isLabShape)
    expect(t.primary).toBe('pg1')
  })

  it('stops after the promotion with the new primary serving and says how to rejoin the old one', async () => {
    // Something in the way of saving pg1's configuration: the step after the promotion fails.
    await labShell(lab.hub, `touch ${blocker}`)
    const { result } = await act(lab.runner, { kind: 'pg.switchover', newPrimary: 'pg2' })
    expect(result.outcome).toBe('failed')
    expect(result.message).toMatch(/^failed at step 13 of 19: "Save pg1's configuration files outside the data directory" failed: on pg1: .*mkdir -p/)
    expect(result.message).toMatch(/pg1 is stopped and unchanged; pg2 is the primary\. Fix the SSH\/file problem and run "switchyard pg rejoin lab pg1"\./)
    const t = await lab.service.topology('lab', 'postgres')
    expect(t.primary).toBe('pg2')
    expect(t.nodes.find((n) => n.name === 'pg3')).toMatchObject({ role: 'standby', upstream: 'pg2' })
    expect(t.nodes.find((n) => n.name === 'pg1')?.role).toBe('down')

    // Doing what the message says brings it back.
    await labShell(lab.hub, `rm -f ${blocker}`)
    const rejoin = await act(lab.runner, { kind: 'pg.rejoin', node: 'pg1' })
    expect(rejoin.result.outcome, rejoin.result.message).toBe('succeeded')
    const back = await act(lab.runner, { kind: 'pg.switchover', newPrimary: 'pg1' })
    expect(back.result.outcome, back.result.message).toBe('succeeded')
    expect(isLabShape(await lab.service.topology('lab', 'postgres'))).toBe(true)
  })
})
