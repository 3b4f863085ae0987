import { describe, expect, it } from 'vitest'
import { environmentWatch } from '../../src/main/features/alerts/environment-watch'
import { runCli } from '../../src/main/app/cli'
import { shellCommand } from '../../src/main/core/ssh/quote'
import type { Alert } from '../../src/shared/alerts'
import { cli, nodesAt, pidOf, redisLabSuite, waitFor } from './redis-lab-support'

/** Alert rules against the lab: a killed Redis master fires, the cluster's own failover resolves. */
describe('alerts on the lab', () => {
  const suite = redisLabSuite()

  it('refuses a malformed rules file with the line and reason, and keeps the rules it had', async () => {
    const bad =
      'rules:\n  - metric: pg-lag-seconds\n    warn: 30\n    critical: lots\n    for: 2m\n  - metric: no-such-metric\n    warn: 1\n    critical: null\n'
    await expect(suite.lab.hub.alerts.saveRules('lab', bad)).rejects.toThrow(/not valid alert rules \(2 problems\)[\s\S]*line 4[\s\S]*line 6/)
    expect((await suite.lab.hub.alerts.rulesYaml('lab')).custom).toBe(false)
    await expect(suite.lab.hub.alerts.saveRules('lab', 'rules: [\n')).rejects.toThrow(/not valid YAML: line/)
  })

  it('fires on a kill -9 of a Redis master within two rounds, and resolves once the cluster has failed over', async () => {
    const engine = environmentWatch(suite.lab.hub)
    const changes: Alert[] = []
    // the test drives the rounds itself
    const listen = engine.subscribe((a) => changes.push(a))
    try {
      expect((await engine.evaluate('lab')).active.filter((a) => a.endpointId === 'redis')).toEqual([])
      const victim = nodesAt(7000).find((n) => n.port === 7001)!
      const heir = nodesAt(7000).find((n) => n.masterId === victim.id)!
      process.kill(pidOf(suite.lab.redisDir, 7001), 'SIGKILL')
      let rounds = 0
      let firing: Alert[] = []
      while (rounds < 2 && !firing.some((a) => a.metric === 'redis-slots')) {
        rounds++
        firing = (await engine.evaluate('lab')).active.filter((a) => a.state === 'firing' && a.endpointId === 'redis')
      }
      expect(firing.map((a) => `${a.metric} ${a.subject}`).sort()).toEqual([`node-down ${victim.addr}`, 'redis-slots cluster'])
      expect(firing.find((a) => a.metric === 'redis-slots')!.value).toBe(victim.slots.reduce((n, r) => n + r.end - r.start + 1, 0))
      expect(changes.filter((a) => a.state === 'firing').map((a) => a.metric)).toEqual(expect.arrayContaining(['node-down', 'redis-slots']))
      // the same rounds put it on the timeline
      const seen = () => suite.lab.hub.timeline.list('lab', Date.now() - 120_000, Date.now()).map((e) => `${e.kind} ${e.message}`)
      expect(seen()).toEqual(expect.arrayContaining([`node ${victim.addr} is down`, expect.stringMatching(/^alert fired, critical: uncovered or open slots/)]))

      // the cluster's own failover: a replica takes the slots
      await waitFor(
        'automatic failover',
        30_000,
        () =>
          nodesAt(7000)
            .find((n) => n.id === heir.id)
            ?.flags.includes('master') === true && cli(7000, 'CLUSTER', 'INFO').includes('cluster_state:ok'),
      )
      const after = await engine.evaluate('lab')
      expect(after.changed.filter((a) => a.state === 'resolved').map((a) => a.metric)).toContain('redis-slots')
      expect(after.active.filter((a) => a.endpointId === 'redis').map((a) => a.metric)).toEqual(['node-down'])
      expect(suite.lab.hub.alerts.recent('lab').map((a) => a.metric)).toContain('redis-slots')
      expect(seen()).toEqual(expect.arrayContaining([`role ${heir.addr} became master (was replica)`, expect.stringMatching(/^alert resolved: /)]))

      // CLI: the node still down is a critical firing alert
      let out = ''
      expect(await runCli(['alerts', 'lab'], { out: (s) => void (out += s), err: (s) => void (out += s) }, suite.lab.hub)).toBe(2)
      expect(out).toContain(`node down on ${victim.addr}`)

      // back up over SSH: everything resolves
      const ssh = await (await suite.lab.hub.connect('lab')).connections.ssh('lab-ssh')
      await ssh.run(shellCommand('redis-server', `${suite.lab.redisDir}/7001/redis.conf`))
      await waitFor(
        'the old master back',
        30_000,
        () =>
          nodesAt(7000)
            .find((n) => n.port === 7001)
            ?.flags.includes('fail') === false,
      )
      await waitFor('the alert to resolve', 20_000, async () => (await engine.evaluate('lab')).active.every((a) => a.endpointId !== 'redis'))
    } finally {
      listen()
    }
  })
})
