import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createActionRunner } from '../../src/main/features/actions/runner'
import { runCli } from '../../src/main/app/cli'
import type { ServiceHub } from '../../src/main/core/service-hub'
import { ActionRequest } from '../../src/shared/action-requests'
import { labHub } from '../support/lab'

/** A read-only environment: every action refused with the reason, by the runner, the CLI and at run time. */
describe('read-only environments', () => {
  let hub: ServiceHub
  const failover = ActionRequest.parse({ kind: 'redis.failover', environment: 'lab', endpointId: 'redis', master: '127.0.0.1:7000' })

  const setReadOnly = async (readOnly: boolean) => {
    const env = await hub.inventory.get('lab')
    await hub.inventory.save({ ...env, readOnly }, {}, 'lab')
  }

  beforeAll(async () => {
    hub = (await labHub()).hub
  })
  afterAll(async () => {
    await hub?.close()
  })

  it('plans show the refusal and the runner will not run them', async () => {
    await setReadOnly(true)
    const runner = createActionRunner(hub)
    const plan = await runner.plan(failover)
    expect(plan.runnable).toBe(false)
    expect(plan.prechecks[0]).toMatchObject({ name: 'environment accepts actions', passed: false, detail: expect.stringMatching(/lab is read-only/) })
    await expect(runner.run(plan.planId, plan.target)).rejects.toThrow(/pre-checks failed: environment accepts actions/)
  })

  it('the CLI refuses with the reason and exit 1, and a dry run says why', async () => {
    let out = ''
    const io = { out: (s: string) => void (out += s), err: (s: string) => void (out += s) }
    expect(await runCli(['redis', 'failover', 'lab', '127.0.0.1:7000', '--yes'], io, hub)).toBe(1)
    expect(out).toMatch(/not run: environment accepts actions: environment lab is read-only/)
    expect(await runCli(['redis', 'failover', 'lab', '127.0.0.1:7000', '--dry-run'], io, hub)).toBe(1)
  })

  it('an environment made read-only after the plan refuses at run time', async () => {
    await setReadOnly(false)
    const runner = createActionRunner(hub)
    const plan = await runner.plan(failover)
    expect(plan.runnable).toBe(true)
    await setReadOnly(true)
    await expect(runner.run(plan.planId, plan.target)).rejects.toThrow(/lab is read-only/)
    // Nothing was started, so nothing was audited as started.
    expect((await hub.audit.list(10)).filter((r) => r.planId === plan.planId)).toEqual([])
  })
})
