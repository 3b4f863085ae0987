import { execFileSync } from 'node:child_process'
import { statSync } from 'node:fs'
import { request } from 'node:http'
import type { AddressInfo } from 'node:net'
import { dirname } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Redis } from 'ioredis'
import { runCli } from '../../src/main/app/cli'
import { Exporter } from '../../src/main/app/exporter'
import { createHandlers } from '../../src/main/app/handlers'
import type { ServiceHub } from '../../src/main/core/service-hub'
import { withNode } from '../../src/main/systems/postgres/postgres-client'
import { withConsole } from '../../src/main/systems/postgres/pgbouncer-client'
import { clusterAccess } from '../../src/main/systems/redis/redis-client'
import { discoverCluster } from '../../src/main/systems/redis/redis-reader'
import type { ClientContext } from '../../src/main/core/handler-types'
import type { Endpoint, Environment } from '../../src/shared/inventory'
import type { LabDescription } from '../lab/lab-environment'
import { labHub } from '../support/lab'
import { misbehavingServer } from '../support/servers'
import { KeyFileCipher } from '../../src/main/core/inventory/secret-cipher'
import { ServiceHub as Hub } from '../../src/main/core/service-hub'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const client: ClientContext = { id: 'security-test', emit: () => undefined, onClose: () => undefined }

/** The TCP ports this process listens on, as ss sees them. */
function ownTcpListeners(): string[] {
  const out = execFileSync('ss', ['-Hltnp'], { encoding: 'utf8' })
  return out.split('\n').filter((l) => l.includes(`pid=${process.pid},`))
}

/** The unix sockets this process listens on. */
function ownUnixListeners(): string[] {
  const out = execFileSync('ss', ['-Hlxp'], { encoding: 'utf8' })
  return out
    .split('\n')
    .filter((l) => l.includes(`pid=${process.pid},`))
    .map((l) => l.trim().split(/\s+/)[4]!)
}

function get(port: number, path: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
      let body = ''
      res.on('data', (c: Buffer) => (body += c.toString()))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

describe('what leaves the machine, and to whom', () => {
  let hub: ServiceHub
  let lab: LabDescription
  let env: Environment
  let handlers: ReturnType<typeof createHandlers>

  beforeAll(async () => {
    ;({ hub, lab, env } = await labHub())
    handlers = createHandlers(hub, {
      info: { mode: 'web', version: 'test', dataDir: '', secretBackend: { kind: 'keyfile' } },
      broadcastProgress: () => undefined,
    })
  })
  afterAll(async () => {
    await hub?.close()
  })

  /** The lab's endpoint by id, checked to be of the kind the test needs. */
  const endpoint = <K extends Endpoint['kind']>(id: string, kind?: K) => {
    const e = env.endpoints.find((x) => x.id === id && (kind === undefined || x.kind === kind))
    if (!e) throw new Error(`the lab has no ${kind ?? ''} endpoint ${id}`)
    return e as Extract<Endpoint, { kind: K }>
  }

  it('tunnels through SSH without one TCP port of its own: unix sockets in folders only this user can enter, or the SSH channel itself', async () => {
    const viaBastion = env.endpoints
      .filter((e) => ['lab-ssh', 'lab-ssh-postgres', 'redis', 'postgres', 'pgbouncer', 'nginx', 'mongo'].includes(e.id))
      .map((e): Endpoint => (e.kind === 'ssh' ? e : { ...e, viaSsh: 'lab-ssh' }) as Endpoint)
    const dockerOverSsh: Endpoint = {
      kind: 'docker',
      id: 'docker-ssh',
      name: 'docker over ssh',
      connection: { type: 'ssh', sshHostId: 'lab-ssh', socketPath: lab.docker.socketPath },
      labelFilter: 'switchyard.lab=1',
    }
    const tunnelled: Environment = { name: 'lab-tunnelled', endpoints: [...viaBastion, dockerOverSsh] }
    const secrets = Object.fromEntries(Object.entries(labSecrets(lab)).filter(([k]) => tunnelled.endpoints.some((e) => k.startsWith(`${e.id}.`))))
    await hub.inventory.save(tunnelled, secrets)
    const before = ownTcpListeners()
    const health = await handlers['health:env']({ name: 'lab-tunnelled' }, client)
    expect(health.systems.map((s) => [s.endpointId, s.status, s.reason])).toEqual(health.systems.map((s) => [s.endpointId, 'ok', s.reason]))
    expect(ownTcpListeners()).toEqual(before)
    const sockets = ownUnixListeners().filter((p) => p.includes('switchyard-fwd-'))
    expect(sockets.length).toBeGreaterThanOrEqual(6 + 2) // six Redis nodes, the mongos, docker.sock
    for (const s of sockets) expect(statSync(dirname(s)).mode & 0o777).toBe(0o700)
  })

  it('never sends a stored secret to an endpoint whose host changed, until it is typed again', async () => {
    const seen: Buffer[] = []
    // a Redis-speaking listener that records every byte: what a hostile address would receive
    const trap = await misbehavingServer((s) => s.on('data', (d: Buffer) => (seen.push(d), s.write('+OK\r\n'))))
    try {
      const redis = { ...endpoint('redis', 'redis-cluster'), sshHostId: undefined }
      await hub.inventory.save({ name: 'lab-secret', endpoints: [redis] }, { 'redis.password': 'do-not-leak-me' })
      const moved = { name: 'lab-secret', endpoints: [{ ...redis, seeds: [{ host: '127.0.0.1', port: trap.port }] }] }
      const test = await handlers['endpoint:test']({ environment: moved, endpointId: 'redis', secrets: {} }, client)
      expect(test.status).not.toBe('ok')
      expect(JSON.stringify(test)).toMatch(/saved for another host, port or user: type it again/)
      expect(Buffer.concat(seen).toString()).not.toContain('do-not-leak-me')
      // typed again for the new address, it is sent there: the trap would have seen the stored one
      await handlers['endpoint:test']({ environment: moved, endpointId: 'redis', secrets: { 'redis.password': 'typed-for-the-trap' } }, client)
      expect(Buffer.concat(seen).toString()).toContain('typed-for-the-trap')
      expect(Buffer.concat(seen).toString()).not.toContain('do-not-leak-me')
      // saving the move drops the stored secret
      const saved = await handlers['env:save']({ environment: moved, secrets: {}, previousName: 'lab-secret' }, client)
      expect(saved.secretsSet).toEqual([])
    } finally {
      await trap.close()
    }
  })

  it('connects to PostgreSQL and pgbouncer over TLS with the certificate and name checked, and refuses a server the CA did not sign', async () => {
    const { connections } = await hub.connect('lab')
    const pg = endpoint('postgres', 'postgres')
    expect(pg.sslmode).toBe('verify-full')
    const ssl = await withNode(
      pg,
      connections,
      pg.nodes[0]!,
      async (c) => (await c.query<{ ssl: boolean }>('select ssl from pg_stat_ssl where pid = pg_backend_pid()')).rows[0]!.ssl,
    )
    expect(ssl).toBe(true)
    const tlsClients = await withConsole(endpoint('pgbouncer', 'pgbouncer'), connections, async (c) =>
      (await c.query<{ tls: string }>('SHOW CLIENTS')).rows.map((r) => r.tls),
    )
    expect(tlsClients.some((t) => /TLS/.test(t))).toBe(true)

    const wrong: Environment = { name: 'lab-wrong-ca', endpoints: [endpoint('lab-ssh-postgres'), { ...pg, sslrootcert: lab.tls.wrongCaFile }] }
    await hub.inventory.save(wrong, { 'postgres.password': lab.postgres.password })
    const health = await handlers['health:env']({ name: 'lab-wrong-ca' }, client)
    const node = health.systems.find((s) => s.endpointId === 'postgres')!.nodes[0]!
    expect(node.error?.code).toBe('tls')
    expect(node.error?.message).toMatch(/certificate/)
  })

  it('reads a TLS-only Redis Cluster with its certificate checked, and refuses it with another CA', async () => {
    const seed = lab.tls.redisSeed
    const redis = (caFile: string): Environment => ({
      name: 'lab-redis-tls',
      endpoints: [{ kind: 'redis-cluster', id: 'tls-redis', name: 'TLS Redis', seeds: [seed], tls: true, caFile }],
    })
    await hub.inventory.save(redis(lab.tls.caFile))
    const ok = await discoverCluster(clusterAccess((await hub.connect('lab-redis-tls')).connections, 'tls-redis'), { environment: 'lab-redis-tls' })
    expect(ok.topology.nodes).toHaveLength(1)
    expect(ok.topology.clusterState).toBe('ok')
    await hub.inventory.save(redis(lab.tls.wrongCaFile), {}, 'lab-redis-tls')
    const bad = await discoverCluster(clusterAccess((await hub.connect('lab-redis-tls')).connections, 'tls-redis'), { environment: 'lab-redis-tls' })
    expect(bad.topology.nodes).toHaveLength(0)
    expect(bad.topology.reason).toMatch(/certificate/)
    // and the server really is TLS-only: a plain client gets nowhere
    const plain = new Redis({ ...seed, lazyConnect: true, connectTimeout: 1000, maxRetriesPerRequest: 0, retryStrategy: () => null })
    plain.on('error', () => undefined)
    await expect(plain.connect().then(() => plain.ping())).rejects.toThrow()
    plain.disconnect()
  })

  it('the CLI refuses an SSH host it has never seen, names the fingerprint, and sends nothing; --accept-new-host-key trusts it', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'switchyard-hostkey-'))
    const fresh = new Hub({ dataDir, cipher: new KeyFileCipher(dataDir) })
    try {
      await fresh.inventory.save({ name: 'ssh-only', endpoints: [endpoint('lab-ssh')] })
      let out = ''
      const io = { out: (s: string) => (out += s), err: (s: string) => (out += s) }
      expect(await runCli(['status', 'ssh-only'], io, fresh)).not.toBe(0)
      expect(out).toMatch(/UNKNOWN HOST KEY for 127\.0\.0\.1:\d+ \(ssh-ed25519 SHA256:[A-Za-z0-9+/]{43}\): nothing was sent/)
      expect(await fresh.knownHosts.list()).toEqual([])
    } finally {
      await fresh.close()
    }
    const accepting = new Hub({ dataDir, cipher: new KeyFileCipher(dataDir), acceptNewHostKeys: true })
    try {
      const io = { out: () => undefined, err: () => undefined }
      expect(await runCli(['status', 'ssh-only'], io, accepting)).toBe(0)
      expect(await accepting.knownHosts.list()).toHaveLength(1)
    } finally {
      await accepting.close()
    }
  })
})

describe('the exporter only reads', () => {
  let hub: ServiceHub
  let server: import('node:http').Server
  let port: number

  beforeAll(async () => {
    ;({ hub } = await labHub())
    server = await new Exporter(hub, { environments: ['lab'], timeoutMs: 10_000 }).listen('127.0.0.1', 0)
    port = (server.address() as AddressInfo).port
  })
  afterAll(async () => {
    await new Promise((r) => server?.close(r))
    await hub?.close()
  })

  const stored = () => JSON.stringify([hub.alerts.active('lab'), hub.timeline.list('lab', 0, Date.now() + 60_000), hub.timeline.facts('lab')])

  it('a poisoned deadline changes no alert, no timeline entry and no fact, and the scrape still reads', async () => {
    const before = stored()
    const r = await get(port, '/metrics', { host: `127.0.0.1:${port}`, 'x-prometheus-scrape-timeout-seconds': '0.001' })
    expect(r.status).toBe(200)
    // clamped to a second: the lab's Redis answers within it
    expect(r.body).toMatch(/switchyard_endpoint_up\{[^}]*endpoint="Redis Cluster"[^}]*\} 1/)
    expect(stored()).toBe(before)
  })

  it('answers only its own Host (DNS rebinding), only GET, and garbage with a 4xx', async () => {
    expect((await get(port, '/metrics', { host: 'rebind.example:80' })).status).toBe(421)
    expect((await get(port, '/metrics', { host: `localhost:${port}` })).status).toBe(200)
    const post = await new Promise<number>((resolve) => {
      const req = request({ host: '127.0.0.1', port, path: '/metrics', method: 'POST', headers: { host: `127.0.0.1:${port}` } }, (res) => {
        res.resume()
        resolve(res.statusCode ?? 0)
      })
      req.end('x')
    })
    expect(post).toBe(405)
  })

  it('a scrape loop with short deadlines keeps one read per endpoint: the servers see no pile of clients', async () => {
    const appClients = () =>
      execFileSync('redis-cli', ['-h', '127.0.0.1', '-p', '7000', 'CLIENT', 'LIST'], { encoding: 'utf8' })
        .split('\n')
        .filter((l) => l.includes('addr=127.0.0.1')).length
    const pgClients = async () => {
      const { connections } = await hub.connect('lab')
      const pg = connections.endpoint('postgres')
      if (pg.kind !== 'postgres') throw new Error('postgres')
      return withNode(pg, connections, pg.nodes[0]!, async (c) =>
        Number((await c.query<{ n: string }>("select count(*) as n from pg_stat_activity where application_name like 'switchyard%'")).rows[0]!.n),
      )
    }
    const redisBefore = appClients()
    let pgPeak = 0
    let redisPeak = 0
    for (let round = 0; round < 5; round++) {
      await Promise.all(Array.from({ length: 4 }, () => get(port, '/metrics', { host: `127.0.0.1:${port}`, 'x-prometheus-scrape-timeout-seconds': '0.001' })))
      pgPeak = Math.max(pgPeak, await pgClients())
      redisPeak = Math.max(redisPeak, appClients())
    }
    // one pooled client per Redis node, a few short PostgreSQL sessions: never one per scrape
    expect(redisPeak - redisBefore).toBeLessThanOrEqual(2)
    expect(pgPeak).toBeLessThanOrEqual(6)
  })
})

function labSecrets(lab: LabDescription): Record<string, string> {
  return {
    'postgres.password': lab.postgres.password,
    'postgres.replication-password': lab.postgres.replicationPassword,
    'pgbouncer.password': lab.postgres.password,
    'mongo.password': lab.mongo.password,
  }
}
