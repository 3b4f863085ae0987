import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../../src/main/app/cli'
import { probeEnvironment } from '../../src/main/features/overview/probe-environment'
import type { ServiceHub } from '../../src/main/core/service-hub'
import { labHub } from '../support/lab'

describe('overview of the live lab', () => {
  let hub: ServiceHub
  beforeAll(async () => {
    ;({ hub } = await labHub())
  })
  afterAll(() => hub?.close())

  it('sees every system of the lab healthy, node by node', async () => {
    const { connections } = await hub.connect('lab')
    const health = await probeEnvironment(connections, hub.journal)
    const bySystem = Object.fromEntries(health.systems.map((s) => [s.endpointId, s]))
    expect(health.systems.map((s) => [s.endpointId, s.status, s.reason])).toEqual(health.systems.map((s) => [s.endpointId, 'ok', s.reason]))
    expect(bySystem.redis!.nodes).toHaveLength(6)
    expect(bySystem.redis!.nodes.filter((n) => n.role === 'master')).toHaveLength(3)
    expect(bySystem.postgres!.nodes.map((n) => n.role)).toEqual(['primary', 'standby', 'standby'])
    expect(bySystem.docker!.nodes.map((n) => n.label).sort()).toEqual(['app_api.1', 'app_api.2', 'lab-api-1', 'lab-api-2', 'lab-api-3'])
    expect(bySystem.nginx!.nodes[0]!.metrics.requests).toBeGreaterThan(0)
    expect(bySystem.mongo!.nodes[0]).toMatchObject({ role: 'mongos', detail: 'mongos, 3 shards' })
    expect(health.status).toBe('ok')
  })

  it('knows the lab SSH host key it pinned, and no other', async () => {
    const keys = await hub.knownHosts.list()
    expect(keys).toHaveLength(1)
    expect(keys[0]).toMatchObject({ host: '127.0.0.1', port: 2222, algorithm: 'ssh-ed25519' })
    expect(keys[0]!.fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/)
  })

  it('CLI status exits 0 for a healthy lab and prints JSON on request', async () => {
    let out = ''
    const code = await runCli(['status', 'lab', '--json'], { out: (s) => (out += s), err: (s) => (out += s) }, hub)
    expect(code).toBe(0)
    expect(JSON.parse(out)).toMatchObject({ environment: 'lab', status: 'ok' })
  })

  it('CLI status exits 3 (unknown) for an environment that does not exist', async () => {
    let err = ''
    const code = await runCli(['status', 'nope'], { out: () => undefined, err: (s) => (err += s) }, hub)
    expect(code).toBe(3)
    expect(err).toContain('no environment named "nope"')
  })
})
