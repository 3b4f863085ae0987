import { describe, expect, it } from 'vitest'
import { createActionRunner } from '../../src/main/features/actions/runner'
import { KeyFileCipher } from '../../src/main/core/inventory/secret-cipher'
import { ServiceHub } from '../../src/main/core/service-hub'
import type { ActionRequest } from '../../src/shared/action-requests'
import { cli as switchyard } from '../support/chaos'
import { nodesAt, planAndRun, redisLabSuite, waitFor } from './redis-lab-support'

const failover = (master: string): ActionRequest => ({
  kind: 'redis.failover',
  environment: 'lab',
  endpointId: 'redis',
  master,
  replica: 'best',
  mode: 'default',
  maxLagBytes: 1_048_576,
  timeoutMs: 30_000,
})

const masterOfSlot0 = () => nodesAt(7000).find((n) => n.role === 'master' && n.slots.some((r) => r.start === 0))!

/** One action per target across processes, a run that outlives an edit of its environment, and a Redis failover killed midway. */
describe('one action per target', () => {
  const suite = redisLabSuite()

  it('two hubs on one data folder start a failover of the same cluster at once: exactly one runs, the other is told who holds it', async () => {
    const other = new ServiceHub({ dataDir: suite.lab.dataDir, cipher: new KeyFileCipher(suite.lab.dataDir) })
    try {
      const second = createActionRunner(other)
      const master = masterOfSlot0().addr
      const [a, b] = await Promise.all([suite.lab.runner.plan(failover(master)), second.plan(failover(master))])
      const outcomes = await Promise.allSettled([suite.lab.runner.run(a.planId, a.target), second.run(b.planId, b.target)])
      const ran = outcomes.filter((o) => o.status === 'fulfilled')
      const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected')
      expect(ran).toHaveLength(1)
      expect(refused).toHaveLength(1)
      expect(String(refused[0]!.reason)).toMatch(/nothing was changed: .*is being changed by .*pid \d+ on /)
      expect((ran[0] as PromiseFulfilledResult<{ outcome: string }>).value.outcome).toBe('succeeded')
      expect(suite.lab.hub.journal.list('lab').filter((r) => r.kind === 'redis.failover')).toHaveLength(1)
    } finally {
      await other.close()
    }
    const back = await planAndRun(suite.lab, failover(masterOfSlot0().addr))
    expect(back.result.outcome, back.result.message).toBe('succeeded')
  })

  it('a failover keeps its connections when its environment is edited while it runs', async () => {
    const hub = suite.lab.hub
    const master = masterOfSlot0().addr
    const plan = await suite.lab.runner.plan(failover(master))
    const running = suite.lab.runner.run(plan.planId, plan.target)
    await waitFor('the run to start', 5000, () => hub.journal.holder('lab/redis') !== undefined)
    const env = await hub.inventory.get('lab')
    await hub.inventory.save({ ...env, description: `edited at ${Date.now()}` }, {}, 'lab')
    await hub.connect('lab') // the pool is rebuilt for the edited environment
    const result = await running
    expect(result.outcome, result.message).toBe('succeeded')
    const back = await planAndRun(suite.lab, failover(masterOfSlot0().addr))
    expect(back.result.outcome, back.result.message).toBe('succeeded')
  })

  it('a failover killed while it waits for the election is found interrupted, and resumed without a second CLUSTER FAILOVER', async () => {
    const master = masterOfSlot0()
    const run = await switchyard(suite.lab.dataDir, ['redis', 'failover', 'lab', master.addr, '--yes'], 'kill-during:1:300')
    expect(run.signal, run.stderr).toBe('SIGKILL')
    const [interrupted] = suite.lab.hub.journal.interrupted('lab')
    expect(interrupted?.steps.map((s) => s.status)).toEqual(['running'])
    // The election goes on without us; resume observes it and only waits for the old master to resync.
    const resumed = await switchyard(suite.lab.dataDir, ['actions', 'resume', 'lab', interrupted!.runId, '--yes'])
    expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0)
    expect(resumed.stdout).toMatch(/already swapped|is master of 0-5460/)
    expect(masterOfSlot0().addr).not.toBe(master.addr)
    const back = await planAndRun(suite.lab, failover(masterOfSlot0().addr))
    expect(back.result.outcome, back.result.message).toBe('succeeded')
  })
})
