import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../../src/main/app/cli'
import { ProcedureEngine } from '../../src/main/features/procedures/engine'
import { createActionRunner } from '../../src/main/features/actions/runner'
import { procedureReport } from '../../src/main/features/procedures/report'
import { KeyFileCipher } from '../../src/main/core/inventory/secret-cipher'
import { ServiceHub } from '../../src/main/core/service-hub'
import type { ProcedureRun } from '../../src/shared/procedures'
import { isLabShape, pgLab, restoreLabShape, type PgLab } from '../support/pg-lab'
import { nodesAt, redisLab, restoreRedisLab, waitFor, type RedisLab } from './redis-lab-support'

const settled = async (engine: ProcedureEngine, go: { finished: Promise<ProcedureRun> }) => go.finished

describe('guided procedures on the lab', () => {
  describe('Redis master failover for maintenance', () => {
    let lab: RedisLab
    beforeAll(async () => {
      lab = await redisLab()
      await restoreRedisLab(lab)
    })
    afterAll(async () => {
      await restoreRedisLab(lab)
      await lab.close()
    })

    it('runs to the end across a restart of the hub: checks, the confirmed failover, waits, a ticked manual step', async () => {
      let engine = new ProcedureEngine(lab.hub, createActionRunner(lab.hub))
      const started = await engine.start('lab', 'redis-master-failover', { master: '127.0.0.1:7000' })
      let run = await engine.advance(started.id)
      expect(run.state).toBe('awaiting')
      expect(run.steps.slice(0, 3).map((s) => s.status)).toEqual(['passed', 'passed', 'passed'])
      expect(run.steps[0]!.evidence).toContain('16384 of 16384 slots served by live masters')
      const failover = run.steps[3]!
      expect(failover).toMatchObject({ status: 'awaiting', type: 'action' })
      expect(failover.plan?.steps.flatMap((s) => s.commands).join('\n')).toMatch(/CLUSTER FAILOVER/)
      await expect(async () => engine.confirm(run.id, 'not the target')).rejects.toThrow(/confirmation does not match/)

      run = await settled(engine, engine.confirm(run.id, failover.plan!.target))
      expect(run.steps.map((s) => s.status)).toEqual(['passed', 'passed', 'passed', 'passed', 'passed', 'passed', 'awaiting', 'pending', 'pending'])
      expect(nodesAt(7000).find((n) => n.port === 7000)?.flags).toContain('slave')

      // the app closes with the run waiting for a person; a new hub on the same data folder resumes it
      const dataDir = lab.hub.options.dataDir
      await lab.hub.close()
      const hub = new ServiceHub({ dataDir, cipher: new KeyFileCipher(dataDir) })
      try {
        engine = new ProcedureEngine(hub, createActionRunner(hub))
        run = await settled(engine, engine.resume(run.id))
        expect(run).toMatchObject({ state: 'awaiting' })
        expect(run.reason).toMatch(/tick "Do the maintenance on 127.0.0.1:7000/)
        run = await settled(engine, engine.tick(run.id, 'restarted 7000 with the new config'))
        expect(run.state).toBe('succeeded')
        expect(run.steps.every((s) => s.status === 'passed')).toBe(true)
        expect(run.steps[6]).toMatchObject({ note: 'restarted 7000 with the new config' })

        const report = procedureReport(hub, run)
        expect(report.markdown).toContain('# Redis master failover for maintenance: succeeded')
        expect(report.markdown).toMatch(/CLUSTER FAILOVER/)
        expect(report.html).toContain('<table>')
        expect(hub.timeline.list('lab', run.startedAt, Date.now()).map((e) => e.message)).toEqual(
          expect.arrayContaining([
            expect.stringMatching(/Redis master failover for maintenance: succeeded/),
            expect.stringMatching(/redis.failover on .* succeeded/),
          ]),
        )
      } finally {
        await hub.close()
        lab = await redisLab()
      }
    })

    it('never acts twice: a resumed failover whose effect is already there passes by its done_when', async () => {
      await waitFor(
        '7000 a replica',
        10_000,
        () =>
          nodesAt(7000)
            .find((n) => n.port === 7000)
            ?.flags.includes('slave') === true,
      )
      const engine = new ProcedureEngine(lab.hub, createActionRunner(lab.hub))
      const run = await engine.advance((await engine.start('lab', 'redis-master-failover', { master: '127.0.0.1:7000' })).id)
      // 7000 is a replica now: the replica-in-sync check refuses, with what to do next
      expect(run.state).toBe('failed')
      expect(run.steps[2]).toMatchObject({ status: 'failed' })
      expect(run.steps[2]!.evidence.join(' ')).toMatch(/not a master/)
      expect(run.reason).toMatch(/next: Add a replica to 127.0.0.1:7000/)
    })
  })

  describe('PostgreSQL planned switchover from the CLI', () => {
    let lab: PgLab
    beforeAll(async () => {
      lab = await pgLab()
      expect(isLabShape(await restoreLabShape(lab))).toBe(true)
    })
    afterAll(async () => {
      await restoreLabShape(lab)
      await lab.hub.close()
    })

    it('runs pg-switchover to pg2 end to end with --yes and --tick, exit 0', async () => {
      let out = ''
      const io = { out: (s: string) => void (out += s), err: (s: string) => void (out += s) }
      const code = await runCli(
        ['procedure', 'run', 'lab', 'pg-switchover', '--param', 'node=pg2', '--param', 'cluster=postgres', '--yes', '--tick', 'announced in #ops'],
        io,
        lab.hub,
      )
      expect(out).toMatch(/✓ +5\. Switch over to pg2 \[passed\]/)
      expect(out).toContain('SUCCEEDED PostgreSQL planned switchover')
      expect(code).toBe(0)
      expect((await lab.service.topology('lab', 'postgres')).primary).toBe('pg2')
      const [run] = lab.hub.runs.list('lab')
      expect(run!.steps.find((s) => s.id === 'announce')).toMatchObject({ status: 'passed', note: 'announced in #ops' })
    })
  })

  it('refuses a malformed procedure with the line and reason of every problem', async () => {
    const { hub } = await pgLab()
    try {
      const engine = new ProcedureEngine(hub, createActionRunner(hub))
      const yaml = [
        'name: my-window',
        'title: A window',
        'steps:',
        '  - id: one',
        '    check: redis.cluster-ok',
        '  - id: two',
        '    action: redis.explode',
        '  - id: three',
        '    wait: pg.role',
        '    with: { node: "{{nobody}}", role: primary }',
      ].join('\n')
      const errors = engine.library.validate(yaml).join('\n')
      expect(errors).toMatch(/line 7, steps\.1\.action: no action named redis\.explode/)
      expect(errors).toMatch(/line 8, steps\.2: \{\{nobody\}\} is not a parameter/)
      await expect(engine.library.save(yaml)).rejects.toThrow(/not a valid procedure \(2 problems\)/)
      const twoKinds = engine.library.validate(
        'name: x\ntitle: X\nsteps:\n  - id: four\n    manual: tick me\n    check: pg.cluster-ok\n  - id: five\n    wait: pg.role\n    timeout: soon\n',
      )
      expect(twoKinds.join('\n')).toMatch(/line 4, steps\.0: a step is one of check, wait, action or manual; this one has manual and check/)
      expect(twoKinds.join('\n')).toMatch(/line 9, steps\.1\.timeout: /)
      expect((await engine.library.list()).some((p) => p.name === 'my-window')).toBe(false)
      expect((await engine.library.list()).filter((p) => p.source === 'built-in' && p.errors.length === 0)).toHaveLength(7)
    } finally {
      await hub.close()
    }
  })
})
