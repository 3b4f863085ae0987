import Docker from 'dockerode'
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createActionRunner } from '../../src/main/features/actions/runner'
import { runCli } from '../../src/main/app/cli'
import type { ActionRunner } from '../../src/main/core/actions/action-runner'
import type { ServiceHub } from '../../src/main/core/service-hub'
import { dockerReplicas } from '../../src/main/systems/docker'
import { nginxService } from '../../src/main/systems/nginx/nginx-service'
import type { AppTier } from '../../src/shared/systems/nginx'
import type { LabDescription } from '../lab/lab-environment'
import { labHub } from '../support/lab'
import { capacityReport } from '../../src/main/features/capacity/capacity-report'
import { loadLoop, type LoadResult } from '../support/load-loop'
import { planAndRun } from '../support/plan-and-run'

/** The app tier against the lab: nginx over SSH, Compose-labelled containers and a Swarm service on the lab's dockerd. */
describe('app tier: nginx upstreams and the Docker replicas behind them', () => {
  let hub: ServiceHub
  let runner: ActionRunner
  let lab: LabDescription
  let docker: Docker
  const read = (): Promise<AppTier> => nginxService(hub, dockerReplicas).tier('lab', 'nginx')
  const upstream = async (name: string) => (await read()).upstreams.find((u) => u.name === name)!
  const base = { environment: 'lab', endpointId: 'nginx' } as const
  const scale = (name: string, replicas: number) => planAndRun(runner, { ...base, kind: 'app.scale', upstream: name, replicas })
  const front = (listen: string) => `http://${listen}/`

  /** Run an action while a request loop goes through nginx; the loop's result and the action's. */
  async function underLoad<T>(listen: string, act: () => Promise<T>): Promise<{ value: T; load: LoadResult }> {
    const loop = loadLoop(front(listen), { concurrency: 4, maxMs: 100_000 })
    try {
      return { value: await act(), load: await loop.stop() }
    } finally {
      await loop.stop()
    }
  }

  beforeAll(async () => {
    const l = await labHub()
    hub = l.hub
    lab = l.lab
    runner = createActionRunner(hub)
    docker = new Docker({ socketPath: lab.docker.socketPath })
  })
  afterAll(async () => {
    // The lab as it was: three Compose replicas, two Swarm tasks, nothing drained.
    for (const [name, n] of [
      ['app', lab.docker.containers.length],
      ['swarm_app', lab.docker.swarm.replicas],
    ] as const) {
      const u = await upstream(name).catch(() => undefined)
      if (u && (u.backends.length !== n || u.backends.some((b) => b.down))) await scale(name, n).catch(() => undefined)
    }
    await hub?.close()
  })

  it('reads each upstream, matches every backend to the container or Swarm task serving it, and probes it', async () => {
    const t = await read()
    expect(t.configError).toBeNull()
    expect(t.nginxVersion).toMatch(/^\d+\.\d+/)
    const app = t.upstreams.find((u) => u.name === 'app')!
    expect(app).toMatchObject({ method: 'least_conn', group: 'compose:lab/api', front: [lab.nginx.listen] })
    expect(app.backends.map((b) => [b.address, b.replica?.name, b.health, b.maxFails, b.failTimeout])).toEqual(
      lab.docker.backendPorts.map((p, i) => [`127.0.0.1:${p}`, lab.docker.containers[i], 'ok', 3, '30s']),
    )
    const swarm = t.upstreams.find((u) => u.name === 'swarm_app')!
    expect(swarm).toMatchObject({ group: 'swarm:app_api', front: [lab.nginx.swarmListen] })
    expect(swarm.backends.map((b) => [b.replica?.slot, b.replica?.name, b.replica?.labels['com.docker.swarm.service.name']])).toEqual([
      [1, 'app_api.1', 'app_api'],
      [2, 'app_api.2', 'app_api'],
    ])
    const group = t.groups.find((g) => g.key === 'swarm:app_api')!
    expect(group).toMatchObject({ kind: 'swarm', desired: 2, running: 2, portBase: lab.docker.swarm.portBase, notScalable: null })
    expect(t.stub).not.toBeNull()
    expect(t.status).toBe('ok')
    // live load from the stats streams
    expect(t.containers.find((c) => c.name === 'lab-api-1')!.memBytes).toBeGreaterThan(1_000_000)
  })

  it('scales the Compose service 3 → 5 → 2 under a request loop through nginx with zero failed requests', async () => {
    const out = await underLoad(lab.nginx.listen, () => scale('app', 5))
    expect(out.value.result.outcome, out.value.result.message).toBe('succeeded')
    expect(out.value.result.verification.filter((c) => !c.passed)).toEqual([])
    expect(out.value.plan.steps[0]!.commands.join('\n')).toContain('docker run -d --name lab-api-4')
    expect(out.load.failed, out.load.errors.join('; ')).toBe(0)
    const five = await upstream('app')
    expect(five.backends.map((b) => b.replica?.name)).toEqual(['lab-api-1', 'lab-api-2', 'lab-api-3', 'lab-api-4', 'lab-api-5'])
    // a new replica is a copy of the service's configuration, with its own number and port
    const info = await docker.getContainer('lab-api-4').inspect()
    expect(info.Config.Labels).toMatchObject({
      'com.docker.compose.project': 'lab',
      'com.docker.compose.service': 'api',
      'com.docker.compose.container-number': '4',
    })
    expect(info.Config.Env).toContain('SLOT=4')

    const down = await underLoad(lab.nginx.listen, () => scale('app', 2))
    expect(down.value.result.outcome, down.value.result.message).toBe('succeeded')
    // the plan said what the two that stay would carry: the load of five shared over two
    expect(down.value.plan.whatIf).toEqual(
      expect.arrayContaining([expect.stringMatching(/^CPU per replica: [\d.]+ % now on 5, about [\d.]+ % on 2$/) as string]),
    )
    expect(down.load.failed, down.load.errors.join('; ')).toBe(0)
    expect(down.load.requests).toBeGreaterThan(100)
    expect((await upstream('app')).backends.map((b) => b.address)).toEqual(['127.0.0.1:9101', '127.0.0.1:9102'])
    expect(readFileSync(lab.nginx.configPath.replace(/nginx\.conf$/, 'upstream.conf'), 'utf8')).not.toContain('9103')
    await expect(docker.getContainer('lab-api-3').inspect()).rejects.toThrow(/no such container/i)

    expect((await scale('app', 3)).result.outcome).toBe('succeeded')
  }, 240_000) // three scalings of containers on two cores

  it('scales the Swarm service 2 → 4 → 1 under a request loop with zero failed requests', async () => {
    const out = await underLoad(lab.nginx.swarmListen, () => scale('swarm_app', 4))
    expect(out.value.result.outcome, out.value.result.message).toBe('succeeded')
    expect(out.value.plan.steps[0]!.commands[0]).toMatch(/docker service update --replicas 4 app_api/)
    expect(out.load.failed, out.load.errors.join('; ')).toBe(0)
    expect((await upstream('swarm_app')).backends.map((b) => [b.address, b.replica?.slot])).toEqual([
      ['127.0.0.1:9201', 1],
      ['127.0.0.1:9202', 2],
      ['127.0.0.1:9203', 3],
      ['127.0.0.1:9204', 4],
    ])
    const down = await underLoad(lab.nginx.swarmListen, () => scale('swarm_app', 1))
    expect(down.value.result.outcome, down.value.result.message).toBe('succeeded')
    expect(down.load.failed, down.load.errors.join('; ')).toBe(0)
    const t = await read()
    expect(t.upstreams.find((u) => u.name === 'swarm_app')!.backends.map((b) => b.address)).toEqual(['127.0.0.1:9201'])
    expect(t.groups.find((g) => g.key === 'swarm:app_api')).toMatchObject({ desired: 1, running: 1 })

    expect((await scale('swarm_app', 2)).result.outcome).toBe('succeeded')
  }, 240_000)

  it('shows a killed backend as failing on the next read, with the finding that takes it out of rotation', async () => {
    await docker.getContainer('lab-api-3').kill()
    try {
      const t = await read()
      const b = t.upstreams.find((u) => u.name === 'app')!.backends.find((x) => x.address === '127.0.0.1:9103')!
      expect(b.health).toBe('critical')
      expect(b.probe.error).toMatch(/refused/i)
      expect(t.findings).toContainEqual(
        expect.objectContaining({
          code: 'backend-down',
          fix: { label: 'Take out of rotation', request: { kind: 'app.drain', upstream: 'app', server: '127.0.0.1:9103', down: true } },
        }),
      )
      expect(t.findings.map((f) => f.code)).toContain('not-running')
    } finally {
      await docker.getContainer('lab-api-3').start()
    }
    await expect.poll(async () => (await upstream('app')).backends[2]!.health, { timeout: 20_000 }).toBe('ok')
  })

  it('refuses a config change nginx -t rejects: the file is restored, nginx keeps its workers and keeps serving', async () => {
    const file = lab.nginx.configPath.replace(/nginx\.conf$/, 'upstream.conf')
    const before = readFileSync(file, 'utf8')
    const pids = () => execFileSync('ps', ['-o', 'pid=', '--ppid', readFileSync(`${lab.labDir}/nginx/nginx.pid`, 'utf8').trim()], { encoding: 'utf8' })
    const workers = pids()
    const out = await underLoad(lab.nginx.listen, () =>
      planAndRun(runner, { ...base, kind: 'nginx.add-backend', upstream: 'app', server: '127.0.0.1:9109', params: ['max_fails=lots'] }),
    )
    expect(out.value.result.outcome).toBe('failed')
    expect(out.value.result.message).toMatch(/nginx -t rejected the change/)
    expect(out.value.result.message).toContain('invalid parameter "max_fails=lots"')
    expect(readFileSync(file, 'utf8')).toBe(before)
    expect(pids()).toBe(workers)
    expect(out.load.failed).toBe(0)
    expect(out.load.requests).toBeGreaterThan(0)
  })

  it('drains a backend (no request reaches it) and returns it (it receives traffic again)', async () => {
    const drained = await planAndRun(runner, { ...base, kind: 'app.drain', upstream: 'app', server: '127.0.0.1:9102', down: true })
    expect(drained.result.outcome, drained.result.message).toBe('succeeded')
    const during = await underLoad(lab.nginx.listen, () => new Promise((r) => setTimeout(r, 1500)))
    expect(Object.keys(during.load.byInstance).sort()).toEqual(['app-9101', 'app-9103'])
    expect((await read()).findings.map((f) => f.code)).toContain('backend-drained')
    const back = await planAndRun(runner, { ...base, kind: 'app.drain', upstream: 'app', server: '127.0.0.1:9102', down: false })
    expect(back.result.outcome, back.result.message).toBe('succeeded')
    expect(back.result.verification).toContainEqual(expect.objectContaining({ name: '127.0.0.1:9102 receives traffic', passed: true }))
  })

  it.each(['app', 'swarm_app'] as const)('restarts the service behind upstream %s one backend at a time with zero failed requests', async (name) => {
    const listen = name === 'app' ? lab.nginx.listen : lab.nginx.swarmListen
    const before = (await upstream(name)).backends.map((b) => [b.replica!.id, b.replica!.startedAt])
    const out = await underLoad(listen, () => planAndRun(runner, { ...base, kind: 'app.restart', upstream: name }))
    expect(out.value.result.outcome, out.value.result.message).toBe('succeeded')
    expect(out.load.failed, out.load.errors.join('; ')).toBe(0)
    const after = (await upstream(name)).backends.map((b) => [b.replica!.id, b.replica!.startedAt])
    // Compose restarts the same container; Swarm replaces the task: either way every replica started anew
    after.forEach(([id, startedAt], i) => expect(id !== before[i]![0] || startedAt! > before[i]![1]!).toBe(true))
  })

  it('without an SSH host or with Docker unreachable: says why, still shows what it can, and refuses to act', async () => {
    const env = await hub.inventory.get('lab')
    const endpoints = env.endpoints.map((e) =>
      e.kind === 'nginx'
        ? { ...e, sshHostId: undefined }
        : e.kind === 'docker'
          ? { ...e, connection: { type: 'socket' as const, path: '/nonexistent/docker.sock' } }
          : e,
    )
    await hub.inventory.save({ ...env, name: 'lab-blind', endpoints }, {})
    const t = await nginxService(hub, dockerReplicas).tier('lab-blind', 'nginx')
    expect(t.configError).toMatch(/names no SSH host/)
    expect(t.stub).not.toBeNull()
    expect(t.findings.map((f) => f.code)).toEqual(expect.arrayContaining(['config-unreadable', 'docker-unreachable']))
    expect(t.dockerErrors[0]!.message).toMatch(/nonexistent\/docker\.sock/)
    await expect(runner.plan({ environment: 'lab-blind', endpointId: 'nginx', kind: 'app.scale', upstream: 'app', replicas: 4 })).rejects.toThrow(
      /names no SSH host/,
    )
  })

  it('takes the requests per replica at which p95 crossed its threshold before as the limit, with one more replica as the fix', async () => {
    // an hour of history: calm up to 20 req/s per replica, p95 above 500 ms from 30 req/s on
    const now = Date.now()
    for (let i = 0; i < 60; i++) {
      const rps = 5 + (i % 10) * 3.5
      hub.history.record('lab/nginx/app-load', now - (60 - i) * 60_000, { 'app|rps': rps, 'app|cpu': 20 + rps, 'app|p95': rps >= 30 ? 650 : 40 })
    }
    await new Promise((r) => setTimeout(r, 1500)) // the history writes once a second
    const { value: report } = await underLoad(lab.nginx.listen, () => capacityReport(hub, 'lab'))
    const app = report.resources.find((r) => r.key === 'nginx|app-requests-per-replica|app')!
    expect(app.gauge.limit).toBe(33)
    expect(app.gauge.limitLabel).toBe('33 req/s, where p95 crossed 500 ms before')
    expect(app.gauge.value).toBeGreaterThan(0)
    expect(app.gauge.fix).toEqual({
      label: `Scale out to ${lab.docker.containers.length + 1}`,
      request: { kind: 'app.scale', upstream: 'app', replicas: lab.docker.containers.length + 1 },
    })
    expect(app.summary).toMatch(/^app: requests per replica/)
  })

  it('CLI: status with its exit code, a dry run that changes nothing', async () => {
    const out: string[] = []
    const io = { out: (s: string) => out.push(s), err: (s: string) => out.push(s) }
    const cli = (args: string[]) => runCli(args, io, hub)
    expect(await cli(['app', 'status', 'lab'])).toBe(0)
    expect(out.join('')).toMatch(/upstream app \(least_conn\).*<- compose:lab\/api/)
    out.length = 0
    expect(await cli(['app', 'scale', 'lab', 'app', '6', '--dry-run'])).toBe(0)
    expect(out.join('')).toContain('docker run -d --name lab-api-4')
    expect((await upstream('app')).backends).toHaveLength(3)
  })
})
