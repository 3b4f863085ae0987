import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cli } from '../support/chaos'
import { patroniLab, type PatroniLab } from '../support/patroni-lab'

/** A switchover through Patroni whose process dies after the call was sent: Patroni goes on without us; the resume must not ask twice. */
describe('a Patroni switchover killed after the call', () => {
  let lab: PatroniLab

  beforeAll(async () => {
    lab = await patroniLab()
    await lab.restore()
  })

  afterAll(async () => {
    if (!lab) return
    try {
      for (const r of lab.hub.journal.interrupted('lab')) await cli(lab.dataDir, ['actions', 'resume', 'lab', r.runId, '--yes'])
      await lab.restore()
    } finally {
      await lab.hub.close()
    }
  })

  it('is found interrupted; roll back is refused past the call; resume waits for the new leader without calling Patroni again', async () => {
    const killed = await cli(lab.dataDir, ['pg', 'switchover', 'lab', 'ha2', '--endpoint', 'patroni', '--yes'], 'kill-before:2')
    expect(killed.signal, killed.stderr).toBe('SIGKILL')
    const [run] = lab.hub.journal.interrupted('lab')
    expect(run).toMatchObject({ kind: 'pg.patroni-switchover', target: 'ha2' })
    expect(run!.steps.map((s) => s.status)).toEqual(['done', 'running'])

    const back = await cli(lab.dataDir, ['actions', 'rollback', 'lab', run!.runId, '--yes'])
    expect(back.code).toBe(1)
    expect(back.stderr).toMatch(/"Ask Patroni's leader for the switchover \(now\)" ran, and from there the action can only go forward: resume it instead/)

    const resumed = await cli(lab.dataDir, ['actions', 'resume', 'lab', run!.runId, '--yes'])
    expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0)
    expect(resumed.stdout).toMatch(/1\. Ask Patroni's leader for the switchover \(now\) {2}\[done by run [0-9a-f]{8}: not sent again\]/)
    expect(resumed.stdout).toMatch(/pass {2}Patroni: ha2 is the leader/)
    expect(await lab.leader()).toBe('ha2')
  })
})
