import { statSync } from 'node:fs'
import { dirname } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { ClientContext } from '../../src/main/core/handler-types'
import type { EventChannel, EventPayload } from '../../src/shared/contract'
import type { Environment } from '../../src/shared/inventory'
import { countSlots } from '../../src/shared/domain/slots'
import { clusterAccess } from '../../src/main/systems/redis/redis-client'
import { discoverCluster } from '../../src/main/systems/redis/redis-reader'
import { runCli } from '../../src/main/app/cli'
import { redisHandlers } from '../../src/main/systems/redis/redis-handlers'
import { readTopology } from '../../src/main/systems/redis/redis-watch'
import { cli, HOST, loadKeys, pidOf, waitFor, redisLabSuite } from './redis-lab-support'

/** Discovery and snapshot on the lab: directly, through an SSH tunnel, with a node frozen mid-poll, via handlers and CLI. */
describe('redis topology', () => {
  const suite = redisLabSuite()

  it('discovers the whole cluster from one seed with INFO of every node', async () => {
    await loadKeys(suite.lab, 'topo', 3000)
    const t = await readTopology(suite.lab.hub, 'lab', 'redis')
    expect(t.clusterState).toBe('ok')
    expect(t.status).toBe('ok') // the single-host note is informational
    expect(t.findings.map((f) => f.code)).toEqual(['single-host'])
    expect(t.nodes).toHaveLength(6)
    expect(t.masters.map((m) => m.addr)).toEqual(['127.0.0.1:7000', '127.0.0.1:7001', '127.0.0.1:7002'])
    expect(t.masters.map((m) => m.slots)).toEqual([5461, 5462, 5461])
    expect(t.masters.every((m) => Math.abs(m.imbalancePct) < 0.1 && m.replicas === 1)).toBe(true)
    expect(t.slots.map((r) => [r.start, r.end])).toEqual([
      [0, 5460],
      [5461, 10922],
      [10923, 16383],
    ])
    expect(t.features.clusterShards).toBe(true)
    for (const n of t.nodes) {
      expect(n.stats, n.addr).not.toBeNull()
      expect(n.stats!.usedMemory).toBeGreaterThan(0)
      if (n.role === 'replica') {
        expect(n.lagBytes).not.toBeNull()
        expect(n.stats!.masterLinkStatus).toBe('up')
      }
    }
    expect(t.masters.reduce((a, m) => a + (m.keys ?? 0), 0)).toBe(3000)
  })

  it('still snapshots when the first seed is dead and one node freezes mid-poll', async () => {
    const { connections } = await suite.lab.hub.connect('lab')
    const endpoint = connections.endpoint('redis')
    if (endpoint.kind !== 'redis-cluster') throw new Error('lab redis endpoint missing')
    const env: Environment = {
      ...connections.environment,
      name: 'lab-deadseed',
      endpoints: connections.environment.endpoints.map((e) =>
        e.id === 'redis' && e.kind === 'redis-cluster' ? { ...e, seeds: [{ host: HOST, port: 7999 }, ...e.seeds] } : e,
      ),
    }
    await suite.lab.hub.inventory.save(env, {})
    const frozen = pidOf(suite.lab.redisDir, 7004)
    process.kill(frozen, 'SIGSTOP')
    try {
      const { connections: c2 } = await suite.lab.hub.connect('lab-deadseed')
      const started = Date.now()
      const { topology } = await discoverCluster(clusterAccess(c2, 'redis'), { environment: 'lab-deadseed', timeoutMs: 800 })
      expect(Date.now() - started).toBeLessThan(5000)
      expect(topology.seed).not.toBe(`${HOST}:7999`)
      const node = topology.nodes.find((n) => n.port === 7004)!
      expect(node.error?.code).toBe('timeout')
      expect(node.stats).toBeNull()
      expect(node.status).toBe('warn')
      expect(topology.nodes.filter((n) => n.stats !== null)).toHaveLength(5)
      expect(topology.findings.some((f) => f.code === 'unreachable' && f.nodes.includes(`${HOST}:7004`))).toBe(true)
    } finally {
      process.kill(frozen, 'SIGCONT')
    }
    await waitFor('7004 answering again', 10_000, () => cli(7004, 'PING') === 'PONG')
  })

  it('works through an SSH tunnel: announced addresses and MOVED redirects are mapped', async () => {
    const { connections } = await suite.lab.hub.connect('lab')
    const env: Environment = {
      ...connections.environment,
      name: 'lab-tunnel',
      endpoints: connections.environment.endpoints.map((e) =>
        e.id === 'redis' && e.kind === 'redis-cluster' ? { ...e, viaSsh: 'lab-ssh', seeds: [e.seeds[0]!] } : e,
      ),
    }
    await suite.lab.hub.inventory.save(env, {})
    const { connections: c2 } = await suite.lab.hub.connect('lab-tunnel')
    const access = clusterAccess(c2, 'redis')
    const { topology } = await discoverCluster(access, { environment: 'lab-tunnel' })
    expect(topology.nodes).toHaveLength(6)
    expect(topology.nodes.every((n) => n.stats !== null)).toBe(true)
    // Every node was dialled through its own unix socket in a folder only this user can enter, never a local TCP port.
    const dialled = await Promise.all(topology.nodes.map((n) => access.resolve(n.addr)))
    expect(dialled.every((d) => d.path !== undefined && (statSync(dirname(d.path)).mode & 0o777) === 0o700)).toBe(true)
    expect(new Set(dialled.map((d) => d.path)).size).toBe(6)
    // Keys of every master, each written through the tunnel to the master that owns its slot.
    const masters = topology.nodes.filter((n) => n.role === 'master')
    for (let i = 0; i < 60; i++) {
      const key = `tunnel:${i}`
      const slot = await (await access.client(masters[0]!.addr)).cluster('KEYSLOT', key)
      const owner = masters.find((m) => m.slots.some((r) => slot >= r.start && slot <= r.end))!
      const c = await access.client(owner.addr)
      await c.set(key, `v${i}`)
      expect(await c.get(key)).toBe(`v${i}`)
    }
    // a cluster client would follow redirects to announced addresses, past the tunnel: refused
    expect(() => access.cluster([`${HOST}:7000`])).toThrow(/tunnel/)
  })

  it('serves the handlers: topology, slot keys and a watch with timeline events', async () => {
    const handlers = redisHandlers(suite.lab.hub)
    const events: { channel: string; payload: unknown }[] = []
    const closers: (() => void)[] = []
    const client: ClientContext = {
      id: 'test-client',
      emit: <E extends EventChannel>(channel: E, payload: EventPayload<E>) => void events.push({ channel, payload }),
      onClose: (f) => void closers.push(f),
    }
    const t = await handlers['redis:topology']({ environment: 'lab', endpointId: 'redis' }, client)
    expect(countSlots(t.masters.flatMap((m) => m.ranges))).toBe(16384)
    const keys = await handlers['redis:slot-keys']({ environment: 'lab', endpointId: 'redis', start: 0, end: 999 }, client)
    expect(keys.slots).toHaveLength(1000)
    expect(keys.slots.every((s) => s.owner !== null && s.keys !== null)).toBe(true)
    expect(await handlers['redis:migration-status']({ environment: 'lab', endpointId: 'redis' }, client)).toEqual({ migration: null })
    await handlers['redis:watch']({ environment: 'lab', endpointId: 'redis', intervalMs: 500 }, client)
    await waitFor('two pushed snapshots', 5000, () => events.filter((e) => e.channel === 'redis:topology').length >= 2)
    const pushes = events.filter((e) => e.channel === 'redis:topology').map((e) => e.payload as EventPayload<'redis:topology'>)
    expect(pushes.at(-1)!.topology.nodes).toHaveLength(6)
    // the stored history (the read above and the first poll) comes once, for the first paint; later pushes carry their own poll only
    expect(Object.values(pushes[0]!.history).every((samples) => samples.length >= 1 && samples.at(-1)!.at <= pushes[0]!.topology.checkedAt)).toBe(true)
    expect(pushes.at(-1)!.history).toEqual({})
    await handlers['redis:unwatch']({ environment: 'lab' }, client)
    const n = events.length
    await new Promise((r) => setTimeout(r, 700))
    expect(events.length).toBe(n)
    for (const f of closers) f()
  })

  it('answers the CLI: status exit code, dry run with exact commands, and refuses without confirmation', async () => {
    const out: string[] = []
    const err: string[] = []
    const io = { out: (s: string) => void out.push(s), err: (s: string) => void err.push(s) }
    expect(await runCli(['redis', 'status', 'lab'], io, suite.lab.hub)).toBe(0)
    expect(out.join('')).toMatch(/^OK: cluster ok: 3 masters/)
    out.length = 0
    expect(await runCli(['redis', 'failover', 'lab', `${HOST}:7000`, '--mode', 'force', '--dry-run'], io, suite.lab.hub)).toBe(0)
    expect(out.join('')).toMatch(/CLUSTER FAILOVER FORCE/)
    out.length = 0
    expect(await runCli(['redis', 'failover', 'lab', `${HOST}:7000`], io, suite.lab.hub)).toBe(2)
    expect(err.join('')).toMatch(/confirm with --confirm 127\.0\.0\.1:7000/)
    expect(await runCli(['redis', 'failover', 'lab', `${HOST}:7000`, '--confirm', `${HOST}:7001`], io, suite.lab.hub)).toBe(2)
    expect(await runCli(['redis', 'status', 'lab', '--json'], io, suite.lab.hub)).toBe(0)
    expect(JSON.parse(out.at(-1)!).clusterState).toBe('ok')
    expect(await runCli(['redis', 'bogus', 'lab'], io, suite.lab.hub)).toBe(2)
  })
})
