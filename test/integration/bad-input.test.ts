import { readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHandlers } from '../../src/main/app/handlers'
import type { ClientContext, Handlers } from '../../src/main/core/handler-types'
import { dispatch } from '../../src/main/app/dispatch'
import type { ServiceHub } from '../../src/main/core/service-hub'
import type { SystemHealth } from '../../src/shared/health'
import type { Endpoint, Environment } from '../../src/shared/inventory'
import type { LabDescription } from '../lab/lab-environment'
import { labHub } from '../support/lab'
import { closedPort, misbehavingServer } from '../support/servers'

const client: ClientContext = { id: 'test', emit: () => undefined, onClose: () => undefined }

describe('bad input gives a clear message, loses nothing and crashes nothing', () => {
  let hub: ServiceHub
  let lab: LabDescription
  let dataDir: string
  let handlers: Handlers

  beforeAll(async () => {
    ;({ hub, lab, dataDir } = await labHub())
    handlers = createHandlers(hub, { info: { mode: 'web', version: 'test', dataDir, secretBackend: { kind: 'keyfile' } }, broadcastProgress: () => undefined })
  })
  afterAll(() => hub?.close())

  async function testEndpoint(endpoint: Endpoint, secrets: Record<string, string> = {}, extra: Endpoint[] = []): Promise<SystemHealth> {
    const environment: Environment = { name: 'scratch', endpoints: [...extra, endpoint] }
    const reply = await dispatch(handlers, 'endpoint:test', { environment, endpointId: endpoint.id, secrets }, client)
    expect(reply.ok).toBe(true)
    return (reply as { value: SystemHealth }).value
  }
  const firstError = (h: SystemHealth) => h.nodes.find((n) => n.error)?.error
  const rootSsh = (): Endpoint => ({
    kind: 'ssh',
    id: 's',
    name: 's',
    host: lab.ssh.host,
    port: lab.ssh.port,
    user: 'root',
    auth: { method: 'key', keyPath: lab.ssh.keyPath },
  })

  it('refused connection: a port where nothing listens', async () => {
    const port = await closedPort()
    const h = await testEndpoint({ kind: 'redis-cluster', id: 'r', name: 'r', seeds: [{ host: '127.0.0.1', port }], tls: false })
    expect(h.status).toBe('critical')
    expect(firstError(h)).toMatchObject({ code: 'refused', message: expect.stringContaining('connection refused') })
  })

  it('invalid host or port is refused at the boundary with the field named', async () => {
    const reply = await dispatch(
      handlers,
      'endpoint:test',
      {
        environment: {
          name: 'scratch',
          endpoints: [{ kind: 'postgres', id: 'p', name: 'p', user: 'u', nodes: [{ name: 'a', host: 'db host;reboot', port: 99999 }] }],
        },
        endpointId: 'p',
      },
      client,
    )
    expect(reply).toMatchObject({ ok: false, error: { code: 'config', message: expect.stringMatching(/environment\.endpoints\.0\.nodes\.0\.(host|port)/) } })
  })

  it('wrong PostgreSQL password', async () => {
    const node = lab.postgres.nodes[0]!
    const h = await testEndpoint(
      {
        kind: 'postgres',
        id: 'p',
        name: 'p',
        user: lab.postgres.user,
        database: 'app',
        sslmode: 'disable',
        nodes: [{ name: node.name, host: node.host, port: node.port }],
      },
      { 'p.password': 'wrong-password' },
    )
    expect(h.status).toBe('critical')
    expect(firstError(h)).toMatchObject({ code: 'auth' })
    expect(JSON.stringify(h)).not.toContain('wrong-password')
  })

  it('wrong SSH password', async () => {
    const h = await testEndpoint(
      { kind: 'ssh', id: 's', name: 's', host: lab.ssh.host, port: lab.ssh.port, user: lab.ssh.passwordUser, auth: { method: 'password' } },
      { 's.password': 'not-the-password' },
    )
    expect(firstError(h)).toMatchObject({ code: 'auth' })
    const ok = await testEndpoint(
      { kind: 'ssh', id: 's', name: 's', host: lab.ssh.host, port: lab.ssh.port, user: lab.ssh.passwordUser, auth: { method: 'password' } },
      { 's.password': lab.ssh.password },
    )
    expect(ok.status).toBe('ok')
  })

  it('changed SSH host key blocks the connection and shows old and new fingerprints', async () => {
    const path = join(dataDir, 'known_hosts.json')
    await testEndpoint(rootSsh())
    const known = JSON.parse(readFileSync(path, 'utf8')) as { fingerprint: string }[]
    const real = known[0]!.fingerprint
    const forged = 'SHA256:' + 'A'.repeat(43)
    writeFileSync(path, JSON.stringify([{ ...known[0], fingerprint: forged }]))
    const h = await testEndpoint(rootSsh())
    expect(h.status).toBe('critical')
    expect(firstError(h)).toMatchObject({ code: 'hostkey-changed', hostKey: { fingerprint: real, previousFingerprint: forged } })
    expect(firstError(h)!.message).toContain('HOST KEY CHANGED')
    // The stored key is not silently replaced.
    expect(JSON.parse(readFileSync(path, 'utf8'))[0].fingerprint).toBe(forged)
    // A tunnel through that host is blocked too.
    const tunnelled = await testEndpoint(
      { kind: 'redis-cluster', id: 'r', name: 'r', seeds: [{ host: '127.0.0.1', port: 7000 }], tls: false, viaSsh: 's' },
      {},
      [rootSsh()],
    )
    expect(firstError(tunnelled)?.code).toBe('hostkey-changed')
    expect((await dispatch(handlers, 'hostkey:forget', { host: lab.ssh.host, port: lab.ssh.port }, client)).ok).toBe(true)
    // forgotten, the key is a stranger again: refused, fingerprint named, until trusted
    const unknown = firstError(await testEndpoint(rootSsh()))
    expect(unknown).toMatchObject({ code: 'hostkey-unknown', hostKey: { fingerprint: real } })
    const trusted = await dispatch(handlers, 'hostkey:trust', { host: lab.ssh.host, port: lab.ssh.port, algorithm: 'ssh-ed25519', fingerprint: real }, client)
    expect(trusted.ok).toBe(true)
  })

  it('reaches Redis through an SSH tunnel', async () => {
    const h = await testEndpoint({ kind: 'redis-cluster', id: 'r', name: 'r', seeds: [{ host: '127.0.0.1', port: 7000 }], tls: false, viaSsh: 's' }, {}, [
      rootSsh(),
    ])
    expect(h.status).toBe('ok')
    expect(h.nodes).toHaveLength(6)
  })

  it('a server that closes mid-reply', async () => {
    const redisLike = await misbehavingServer((s) => s.once('data', () => s.end('*3\r\n$5\r\nhel')))
    const pgLike = await misbehavingServer((s) => s.once('data', () => s.destroy()))
    try {
      const r = await testEndpoint({ kind: 'redis-cluster', id: 'r', name: 'r', seeds: [{ host: '127.0.0.1', port: redisLike.port }], tls: false })
      expect(r.status).toBe('critical')
      expect(['closed', 'protocol', 'timeout']).toContain(firstError(r)?.code)
      const p = await testEndpoint({
        kind: 'postgres',
        id: 'p',
        name: 'p',
        user: 'u',
        database: 'd',
        sslmode: 'disable',
        nodes: [{ name: 'n', host: '127.0.0.1', port: pgLike.port }],
      })
      expect(p.status).toBe('critical')
      expect(firstError(p)?.code).toBe('closed')
    } finally {
      await redisLike.close()
      await pgLike.close()
    }
  })

  it('a status URL that answers something else than stub_status', async () => {
    const http = await misbehavingServer((s) => s.once('data', () => s.end('HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello')))
    try {
      const h = await testEndpoint({ kind: 'nginx', id: 'n', name: 'n', statusUrl: `http://127.0.0.1:${http.port}/nginx_status` })
      expect(firstError(h)).toMatchObject({ code: 'protocol', message: expect.stringContaining('stub_status') })
    } finally {
      await http.close()
    }
  })

  it('nothing is saved half-way: an invalid environment or a stray secret writes nothing', async () => {
    const before = readdirSync(join(dataDir, 'environments')).sort()
    const secretsBefore = readFileSync(join(dataDir, 'secrets.json'), 'utf8')
    const dangling = await dispatch(
      handlers,
      'env:save',
      { environment: { name: 'half', endpoints: [{ kind: 'nginx', id: 'n', name: 'n', statusUrl: 'http://127.0.0.1:1/', sshHostId: 'missing' }] } },
      client,
    )
    expect(dangling).toMatchObject({ ok: false, error: { code: 'config' } })
    const stray = await dispatch(handlers, 'env:save', { environment: { name: 'half', endpoints: [] }, secrets: { 'ghost.password': 'x' } }, client)
    expect(stray).toMatchObject({ ok: false, error: { message: expect.stringContaining('names no endpoint') } })
    expect(readdirSync(join(dataDir, 'environments')).sort()).toEqual(before)
    expect(readFileSync(join(dataDir, 'secrets.json'), 'utf8')).toBe(secretsBefore)
  })

  it('an unknown channel or a malformed payload is refused, not crashed on', async () => {
    expect(await dispatch(handlers, 'fs:readFile', {}, client)).toMatchObject({ ok: false, error: { code: 'config' } })
    expect(await dispatch(handlers, 'env:remove', { name: 42 }, client)).toMatchObject({ ok: false, error: { code: 'config' } })
    expect(await dispatch(handlers, 'health:env', { name: 'missing' }, client)).toMatchObject({
      ok: false,
      error: { message: expect.stringContaining('no environment') },
    })
  })
})
