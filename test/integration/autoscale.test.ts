import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { randomUUID } from 'node:crypto'
import type { ScalingDecision } from '../../src/shared/autoscale'
import type { Environment } from '../../src/shared/inventory'
import { runCli } from '../../src/main/app/cli'
import { createActionRunner } from '../../src/main/features/actions/runner'
import { Autoscaler } from '../../src/main/features/autoscale/autoscaler'
import type { ServiceHub } from '../../src/main/core/service-hub'
import { readAppTier } from '../../src/main/systems'
import type { LabDescription } from '../lab/lab-environment'
import { labHub } from '../support/lab'
import { loadLoop } from '../support/load-loop'
import { planAndRun } from '../support/plan-and-run'
import { labPolicies } from '../support/autoscale-policies'

/** Policies on the lab's two services: Compose 3 → 5, Swarm 2 → 4. */
const ACTING = labPolicies({ name: 'api', upstream: 'app', min: 3 }, { name: 'swarm', upstream: 'swarm_app', min: 2 })
/** A policy whose minimum is above what runs: it wants a change at once, whatever the load. */
const wantsMore = (mode: 'recommend' | 'act') => `
policies:
  - name: api
    endpoint: nginx
    upstream: app
    mode: ${mode}
    min: 4
    max: 5
`

describe('autoscaling policies on the lab app tier', () => {
  let hub: ServiceHub
  let lab: LabDescription
  let scaler: Autoscaler
  const running = async (upstream: string) => {
    const tier = await readAppTier(hub, 'lab', 'nginx')
    const u = tier.upstreams.find((x) => x.name === upstream)!
    return tier.groups.find((g) => g.key === u.group)!.replicas.filter((r) => r.running).length
  }
  /** Rounds every 2 s until a decision of the policy matches, or the time is up; every decision made meanwhile. */
  const roundsUntil = async (match: (d: ScalingDecision) => boolean, timeoutMs: number): Promise<ScalingDecision[]> => {
    const seen: ScalingDecision[] = []
    const deadline = Date.now() + timeoutMs
    while (Date.now() < deadline) {
      const ds = await scaler.round('lab')
      seen.push(...ds)
      if (ds.some(match)) return seen
      await new Promise((r) => setTimeout(r, 2000))
    }
    throw new Error(
      `no matching decision in ${timeoutMs / 1000} s; the changes: ${scaler.store
        .history('lab')
        .filter((d) => d.verdict !== 'hold')
        .map((d) => `${d.policy} ${d.verdict} ${d.outcome}: ${d.reason} ${d.detail ?? ''}`)
        .join(' | ')}; the last: ${seen
        .slice(-2)
        .map((d) => `${d.policy} ${d.verdict} ${d.outcome}: ${d.reason} ${d.detail ?? ''}`)
        .join(' | ')}`,
    )
  }

  beforeAll(async () => {
    ;({ hub, lab } = await labHub())
    scaler = new Autoscaler(hub)
  })

  afterAll(async () => {
    await scaler.store.save('lab', 'policies: []\n')
    scaler.store.setPaused('lab', false)
    // the lab's shape for the tests after these
    const runner = createActionRunner(hub)
    for (const [upstream, replicas] of [
      ['app', 3],
      ['swarm_app', 2],
    ] as const)
      if ((await running(upstream)) !== replicas) await planAndRun(runner, { environment: 'lab', endpointId: 'nginx', kind: 'app.scale', upstream, replicas })
    await hub.close()
  })

  it('refuses a policy file with its lines and reasons, and keeps the one it had', async () => {
    await scaler.store.save('lab', wantsMore('recommend'))
    const policy = (extra: string) => `policies:\n  - name: api\n    endpoint: nginx\n    upstream: app\n${extra}`
    await expect(scaler.store.save('lab', policy('    mode: often\n    metrics:\n      - { metric: cpu, up: 70, down: 90 }\n'))).rejects.toThrow(
      /\(2 problems\):\n.*line 5, policies\.0\.mode: .*"recommend"[\s\S]*line 7, policies\.0\.metrics\.0\.down: down must be below up/,
    )
    await expect(scaler.store.save('lab', policy('    min: 6\n    max: 5\n'))).rejects.toThrow(/line 5, policies\.0\.min: min must not be above max/)
    expect((await scaler.store.policies('lab'))[0]).toMatchObject({ name: 'api', min: 4, mode: 'recommend' })
  })

  it('recommend mode, paused policies and a read-only environment record what they would do and change nothing', async () => {
    await scaler.store.save('lab', wantsMore('recommend'))
    const [recommended] = await scaler.round('lab')
    expect(recommended).toMatchObject({ verdict: 'up', replicas: 3, desired: 4, outcome: 'recommended', detail: 'recommend mode: would scale 3 → 4' })

    await scaler.store.save('lab', wantsMore('act'))
    scaler.store.setPaused('lab', true)
    expect((await scaler.round('lab'))[0]).toMatchObject({ outcome: 'recommended', detail: 'policies paused: would scale 3 → 4' })
    scaler.store.setPaused('lab', false)

    const env = await hub.inventory.get('lab')
    await hub.inventory.save({ ...env, readOnly: true } satisfies Environment, {}, 'lab')
    try {
      expect((await scaler.round('lab'))[0]).toMatchObject({ outcome: 'recommended', detail: 'environment lab is read-only: would scale 3 → 4' })
    } finally {
      await hub.inventory.save({ ...env, readOnly: false }, {}, 'lab')
    }
    expect(await running('app')).toBe(3)
    // the CLI's status says a policy wants a change it may not make
    await scaler.store.save('lab', wantsMore('recommend'))
    const out: string[] = []
    expect(await runCli(['autoscale', 'status', 'lab'], { out: (s) => void out.push(s), err: (s) => void out.push(s) }, hub)).toBe(1)
    expect(out.join('')).toMatch(/api\s+UP\s+3 → 4\s+recommended 3 replicas, below the minimum of 4 \(recommend mode: would scale 3 → 4\)/)
  })

  it('defers to an action that holds the app tier, and acts once it is over', async () => {
    await scaler.store.save('lab', wantsMore('act'))
    const runId = randomUUID()
    hub.journal.begin({
      runId,
      planId: `plan-${runId}`,
      kind: 'app.restart',
      mode: 'run',
      environment: 'lab',
      endpointId: 'nginx',
      targetKey: 'lab/nginx',
      target: 'app',
      title: 'Rolling restart of app (a person, meanwhile)',
      actor: 'alice',
      request: { upstream: 'app' },
      planSteps: [],
      prepared: { state: null },
    })
    try {
      const [deferred] = await scaler.round('lab')
      expect(deferred).toMatchObject({ verdict: 'up', outcome: 'deferred' })
      expect(deferred!.detail).toMatch(/being changed by alice \("Rolling restart of app/)
    } finally {
      hub.journal.finish(runId, 'succeeded', 'done by hand')
    }
    expect(await running('app')).toBe(3)
  })

  it('scales both services up under CPU load (Compose 3 → 5, Swarm 2 → 4) and back down when it stops, with no failed request', async () => {
    await scaler.store.save('lab', ACTING)
    const work = (listen: string) => loadLoop(`http://${listen}/work?ms=40`, { concurrency: 3, maxMs: 150_000 })
    const compose = work(lab.nginx.listen)
    const swarm = work(lab.nginx.swarmListen)
    let loaded: ScalingDecision[]
    try {
      loaded = await roundsUntil((d) => d.policy === 'swarm' && d.outcome === 'scaled', 120_000)
      if (!loaded.some((d) => d.policy === 'api' && d.outcome === 'scaled'))
        loaded.push(...(await roundsUntil((d) => d.policy === 'api' && d.outcome === 'scaled', 60_000)))
    } finally {
      const [c, s] = await Promise.all([compose.stop(), swarm.stop()])
      expect(c.failed, c.errors.join('; ')).toBe(0)
      expect(s.failed, s.errors.join('; ')).toBe(0)
      expect(c.requests + s.requests).toBeGreaterThan(100)
    }
    const ups = loaded.filter((d) => d.outcome === 'scaled')
    expect(ups.map((d) => [d.policy, d.replicas, d.desired]).sort()).toEqual([
      ['api', 3, 5],
      ['swarm', 2, 4],
    ])
    for (const d of ups) expect(d.reason).toMatch(/^CPU [\d.]+ % above 15 % for \d+ s: \d → \d$/)
    expect(await running('app')).toBe(5)
    expect(await running('swarm_app')).toBe(4)
    // the action ran as the policy, audited before and after
    const audit = (await hub.audit.list()).filter((a) => a.kind === 'app.scale' && a.actor.startsWith('policy '))
    expect(audit.map((a) => a.actor)).toEqual(expect.arrayContaining(['policy api', 'policy swarm']))

    // no load: after the down duration and cooldown, each returns to its minimum
    const idle = loadLoop(`http://${lab.nginx.listen}/?ms=100`, { concurrency: 1, maxMs: 120_000 })
    try {
      const downs = await roundsUntil((d) => d.policy === 'api' && d.outcome === 'scaled' && d.verdict === 'down', 90_000)
      if (!downs.some((d) => d.policy === 'swarm' && d.verdict === 'down' && d.outcome === 'scaled'))
        await roundsUntil((d) => d.policy === 'swarm' && d.outcome === 'scaled' && d.verdict === 'down', 60_000)
    } finally {
      const r = await idle.stop()
      expect(r.failed, r.errors.join('; ')).toBe(0)
    }
    expect(await running('app')).toBe(3)
    expect(await running('swarm_app')).toBe(2)
    // the cooldowns held: one scale each way per policy, whatever the rounds in between said
    const scaled = scaler.store.history('lab').filter((d) => d.outcome === 'scaled')
    expect(scaled.map((d) => `${d.policy} ${d.verdict}`).sort()).toEqual(['api down', 'api up', 'swarm down', 'swarm up'])
    const downAfterUp = (p: string) =>
      scaled.find((d) => d.policy === p && d.verdict === 'down')!.at - scaled.find((d) => d.policy === p && d.verdict === 'up')!.at
    expect(downAfterUp('api')).toBeGreaterThanOrEqual(15_000)
    // each scale is on the timeline
    const timeline = hub.timeline.list('lab', Date.now() - 10 * 60_000, Date.now()).filter((e) => e.kind === 'autoscale')
    expect(timeline.map((e) => e.message).join('\n')).toMatch(/policy api scaled compose:lab\/api 3 → 5 \(scaled\)/)
  })
})
