import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { act, isLabShape, labShell, pgCtl, pgLab, restoreLabShape, waitTopology, type PgLab, dropLabTable } from '../support/pg-lab'
import { missingIds, SequentialWriter } from '../support/pg-writer'

/**
 * Kill the primary (immediate stop), fail over to the most advanced standby, then put the lab
 * back: rewind the old primary in as a standby and switch back to it.
 */
describe('PostgreSQL failover', () => {
  let lab: PgLab
  let writer: SequentialWriter
  const table = 'switchyard_it_failover'
  let newPrimary = ''

  beforeAll(async () => {
    lab = await pgLab()
    expect(isLabShape(await restoreLabShape(lab))).toBe(true)
    writer = new SequentialWriter(lab.writerOptions(table))
    await writer.prepare()
  })

  afterAll(async () => {
    await writer?.stop()
    if (!lab) return
    try {
      await restoreLabShape(lab, (m) => console.warn(m))
    } finally {
      await dropLabTable(lab, table)
      await lab.hub.close()
    }
  })

  it('shows the killed primary as down without failing the view', async () => {
    writer.start()
    await writer.waitForCommits(300)
    await writer.stop()
    // Every acknowledged id has reached both standbys before the crash.
    await waitTopology(lab, 'standbys caught up', 15_000, (t) => t.standbys.every((s) => s.bytes === 0))
    const kill = await labShell(lab.hub, pgCtl(lab, 'pg1', 'stop', '-m', 'immediate', '-w', '-t', '30'))
    expect(kill.code, kill.stderr).toBe(0)
    const t = await waitTopology(lab, 'no primary', 15_000, (x) => x.primary === null)
    expect(t.status).toBe('critical')
    expect(t.nodes.find((n) => n.name === 'pg1')).toMatchObject({ role: 'down', error: { code: 'refused' } })
    expect(t.nodes.filter((n) => n.role === 'standby').map((n) => n.name)).toEqual(['pg2', 'pg3'])
    expect(t.findings.map((f) => f.reason)).toContain('no primary: every reachable node is a standby')
  })

  it('refuses to promote a node that is not a reachable standby', async () => {
    const plan = await lab.runner.plan({ environment: 'lab', endpointId: 'postgres', kind: 'pg.failover', newPrimary: 'pg1' })
    expect(plan.runnable).toBe(false)
    expect(plan.prechecks.find((c) => !c.passed)?.detail).toMatch(/pg1 is not a reachable standby/)
  })

  it('promotes the most advanced standby, repoints the other and fences the old primary', async () => {
    const { plan, result } = await act(lab.runner, { kind: 'pg.failover' })
    newPrimary = plan.target
    expect(['pg2', 'pg3']).toContain(newPrimary)
    expect(plan.prechecks.map((c) => c.name)).toContain('pg1 is stopped')
    expect(result.outcome, result.message).toBe('succeeded')
    expect(result.message).toMatch(/pg1 is fenced \(standby.signal\) and NEEDS A REWIND/)
    expect(result.verification.find((v) => v.name === 'pg1 fenced and marked for rewind')?.passed).toBe(true)
    const other = newPrimary === 'pg2' ? 'pg3' : 'pg2'
    const t = await lab.service.topology('lab', 'postgres')
    expect(t.primary).toBe(newPrimary)
    expect(t.nodes.find((n) => n.name === other)).toMatchObject({ role: 'standby', upstream: newPrimary })

    // Nothing acknowledged before the crash was lost, and writes go on against the new primary.
    const opts = lab.writerOptions(table)
    for (const n of lab.pgNodes.filter((x) => x.name !== 'pg1')) expect(await missingIds(n, opts, writer.acked)).toEqual([])
    writer.start()
    await writer.waitForCommits(100)
    await writer.stop()
  })

  it('rewinds the old primary back in as a standby and switches back to it', async () => {
    const rejoin = await act(lab.runner, { kind: 'pg.rejoin', node: 'pg1' })
    expect(rejoin.result.outcome, rejoin.result.message).toBe('succeeded')
    expect(rejoin.plan.steps.some((s) => s.commands.some((c) => c.includes('pg_rewind -D /tmp/switchyard-lab/pg/pg1')))).toBe(true)
    const marker = await labShell(lab.hub, `test ! -e ${lab.pgNodes[0]!.dataDir}/switchyard-needs-rewind`)
    expect(marker.code).toBe(0)

    const back = await act(lab.runner, { kind: 'pg.switchover', newPrimary: 'pg1' })
    expect(back.result.outcome, back.result.message).toBe('succeeded')
    const t = await lab.service.topology('lab', 'postgres')
    expect(isLabShape(t)).toBe(true)
    const opts = lab.writerOptions(table)
    for (const n of lab.pgNodes) expect(await missingIds(n, opts, writer.acked)).toEqual([])
  })
})
