import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { shellCommand } from '../../src/main/core/ssh/quote'
import { act, isLabShape, labShell, pgLab, restoreLabShape, type PgLab } from '../support/pg-lab'

/** Add a fourth node with pg_basebackup -R and a slot over SSH, then remove it again. */
describe('PostgreSQL add and remove a replica', () => {
  let lab: PgLab
  const dataDir = '/tmp/switchyard-lab/pg/pg4'
  const node = () => ({ name: 'pg4', host: '127.0.0.1', port: 15435, dataDir, sshHostId: 'lab-ssh-postgres', binDir: lab.lab.postgres.binDir })

  async function cleanup(): Promise<void> {
    const pgCtl = `${lab.lab.postgres.binDir}/pg_ctl`
    await labShell(
      lab.hub,
      `if test -f ${dataDir}/postmaster.pid; then ${shellCommand(pgCtl, '-D', dataDir, 'stop', '-m', 'immediate', '-w', '-t', 30)}; fi; rm -rf ${dataDir} ${dataDir}.log`,
    )
    await labShell(
      lab.hub,
      `psql -h 127.0.0.1 -p 15432 -U ${lab.lab.postgres.user} -d postgres -Atc "SELECT pg_drop_replication_slot('pg4') FROM pg_replication_slots WHERE slot_name = 'pg4' AND NOT active"`,
    )
  }

  beforeAll(async () => {
    lab = await pgLab()
    expect(isLabShape(await restoreLabShape(lab))).toBe(true)
    await cleanup()
  })

  afterAll(async () => {
    if (!lab) return
    try {
      await cleanup()
      await restoreLabShape(lab, (m) => console.warn(m))
    } finally {
      await lab.hub.close()
    }
  })

  it('adds pg4: pg_basebackup -R with slot pg4, starts it, and it streams from pg1', async () => {
    const { plan, result } = await act(lab.runner, { kind: 'pg.add-replica', node: node() })
    const commands = plan.steps.flatMap((s) => s.commands).join('\n')
    expect(commands).toContain(`pg_basebackup -h 127.0.0.1 -p 15432 -U replicator -w -D ${dataDir} -R -X stream -C -S pg4 -c fast`)
    expect(result.outcome, result.message).toBe('succeeded')
    expect(result.verification.map((v) => [v.name, v.passed])).toEqual([
      ['pg1 is the only primary', true],
      ['pg4 streams from pg1', true],
      ['slot pg4 on pg1 is active', true],
      ['a write on pg1 reaches every standby', true],
    ])
    const t = await lab.service.topology('lab', 'postgres')
    expect(t.nodes.find((n) => n.name === 'pg4')).toMatchObject({ listed: false, role: 'standby', upstream: 'pg1' })
    expect(t.standbys.find((s) => s.standby === 'pg4')).toMatchObject({ state: 'streaming', status: 'ok' })
    expect(t.nodes.find((n) => n.name === 'pg1')!.slots.find((s) => s.name === 'pg4')?.active).toBe(true)
  })

  it('refuses to add it twice', async () => {
    const plan = await lab.runner.plan({ environment: 'lab', endpointId: 'postgres', kind: 'pg.add-replica', node: node() })
    expect(plan.runnable).toBe(false)
    const failed = plan.prechecks.filter((c) => !c.passed).map((c) => c.name)
    expect(failed).toEqual(expect.arrayContaining(['pg4 is new', 'slot pg4 is free', `${dataDir} is free`]))
  })

  it('removes pg4: stops it, drops its slot, deletes its data directory when asked', async () => {
    const { plan, result } = await act(lab.runner, { kind: 'pg.remove-replica', node: 'pg4', location: node(), deleteDataDir: true })
    expect(plan.steps.map((s) => s.title)).toEqual(['Stop pg4', 'Drop slot pg4 on pg1', "Delete pg4's data directory"])
    expect(result.outcome, result.message).toBe('succeeded')
    expect(result.verification.every((v) => v.passed)).toBe(true)
    const t = await lab.service.topology('lab', 'postgres')
    expect(t.nodes.some((n) => n.name === 'pg4')).toBe(false)
    expect(t.nodes.find((n) => n.name === 'pg1')!.slots.map((s) => s.name)).toEqual(['pg2', 'pg3'])
    expect((await labShell(lab.hub, `test ! -e ${dataDir}`)).code).toBe(0)
    expect(isLabShape(t)).toBe(true)
  })

  it('will not delete the data directory of a listed node that is the primary', async () => {
    const plan = await lab.runner.plan({ environment: 'lab', endpointId: 'postgres', kind: 'pg.remove-replica', node: 'pg1', deleteDataDir: true })
    expect(plan.runnable).toBe(false)
    expect(plan.prechecks.filter((c) => !c.passed).map((c) => c.name)).toEqual(
      expect.arrayContaining(['pg1 is not the primary', 'data directory is a standby']),
    )
  })
})
