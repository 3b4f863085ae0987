import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createActionRunner } from '../../src/main/features/actions/runner'
import type { ServiceHub } from '../../src/main/core/service-hub'
import { dockerReplicas } from '../../src/main/systems/docker'
import { nginxService } from '../../src/main/systems/nginx/nginx-service'
import { cli } from '../support/chaos'
import { labHub } from '../support/lab'
import { loadLoop } from '../support/load-loop'
import { planAndRun } from '../support/plan-and-run'
import type { LabDescription } from '../lab/lab-environment'

/**
 * An nginx drain converges: its process killed after the backend was marked down, a resume plans
 * the same drain again (the edit is already in place and writes the same file) and waits for the
 * requests in flight; a roll back is the opposite action. Requests through nginx never fail.
 */
describe('an nginx drain killed midway', () => {
  let hub: ServiceHub
  let dataDir: string
  let lab: LabDescription
  const server = '127.0.0.1:9102'
  const drain = ['app', 'drain', 'lab', 'app', server, '--yes']
  const backend = async () =>
    (await nginxService(hub, dockerReplicas).tier('lab', 'nginx')).upstreams.find((u) => u.name === 'app')!.backends.find((b) => b.address === server)!

  beforeAll(async () => {
    ;({ hub, dataDir, lab } = await labHub())
  })
  afterAll(async () => {
    if (!hub) return
    for (const r of hub.journal.interrupted('lab')) await cli(dataDir, ['actions', 'resolve', 'lab', r.runId, '--note', 'test cleanup', '--yes'])
    if ((await backend()).down)
      await planAndRun(createActionRunner(hub), { environment: 'lab', endpointId: 'nginx', kind: 'app.drain', upstream: 'app', server, down: false })
    await hub.close()
  })

  async function killedAfterMarkingDown(): Promise<string> {
    const run = await cli(dataDir, drain, 'kill-before:2')
    expect(run.signal, run.stderr).toBe('SIGKILL')
    const [left] = hub.journal.interrupted('lab')
    expect(left!.steps.map((s) => [s.title, s.status])).toEqual([
      ['mark it down, validate and reload gracefully', 'done'],
      ['wait for its requests in flight to finish', 'running'],
    ])
    expect((await backend()).down).toBe(true)
    return left!.runId
  }

  it('is resumed by planning the same drain again, and rolled back by the opposite one, with no failed request', async () => {
    const loop = loadLoop(`http://${lab.nginx.listen}/`, { concurrency: 4, maxMs: 100_000 })
    try {
      const first = await killedAfterMarkingDown()
      const resumed = await cli(dataDir, ['actions', 'resume', 'lab', first, '--yes'])
      expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0)
      expect(resumed.stdout).toMatch(/This action converges: it is planned again from what the system is now/)
      expect(resumed.stdout).toMatch(/pass {2}no request in flight/)

      await planAndRun(createActionRunner(hub), { environment: 'lab', endpointId: 'nginx', kind: 'app.drain', upstream: 'app', server, down: false })
      const second = await killedAfterMarkingDown()
      const back = await cli(dataDir, ['actions', 'rollback', 'lab', second, '--yes'])
      expect(back.code, back.stdout + back.stderr).toBe(0)
      expect(back.stdout).toMatch(/Rolled back by the opposite action: Return 127\.0\.0\.1:9102 to upstream app/)
      expect((await backend()).down).toBe(false)
      expect(hub.journal.list('lab', 1)[0]).toMatchObject({ kind: 'run.rollback', state: 'succeeded' })
    } finally {
      const load = await loop.stop()
      expect(load.failed, load.errors.join('; ')).toBe(0)
      expect(load.requests).toBeGreaterThan(0)
    }
  })
})
