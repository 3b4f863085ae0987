import { Redis } from 'ioredis'
import type { NodeHealth, SystemHealth } from '../../shared/health'
import type { EndpointOf, HostPort } from '../../shared/inventory'
import type { Connections } from '../connections'
import { withTimeout } from '../errors'
import { nodeDown, systemHealth, type Finding } from '../health/system-health'

type RedisEndpoint = EndpointOf<'redis-cluster'>

const TIMEOUT_MS = 3000

/** One short-lived connection for a poll; never retries or queues, so a dead node fails fast. */
async function openNode(endpoint: RedisEndpoint, connections: Connections, node: HostPort): Promise<Redis> {
  const at = await connections.reach(endpoint, node)
  const client = new Redis({
    host: at.host,
    port: at.port,
    username: endpoint.username,
    password: connections.secret(endpoint.id),
    tls: endpoint.tls ? { servername: node.host } : undefined,
    lazyConnect: true,
    connectTimeout: TIMEOUT_MS,
    commandTimeout: TIMEOUT_MS,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  })
  // ioredis rejects connect() with "Connection is closed"; the real cause (ECONNREFUSED…) comes as an event.
  let cause: Error | undefined
  client.on('error', (e: Error) => (cause ??= e))
  try {
    await client.connect()
  } catch (err) {
    client.disconnect()
    throw cause ?? err
  }
  return client
}

interface ClusterNodeLine {
  id: string
  address: HostPort
  flags: string[]
  masterId?: string
  linkState: string
  slotCount: number
}

function parseNodes(text: string): ClusterNodeLine[] {
  return text
    .split('\n')
    .filter((l) => l.trim())
    .map((line) => {
      const [id = '', addr = '', flags = '', master = '-', , , , link = '', ...slots] = line.trim().split(' ')
      const hostPort = addr.split('@')[0] ?? ''
      const i = hostPort.lastIndexOf(':')
      const slotCount = slots
        .filter((s) => !s.startsWith('['))
        .reduce((n, s) => {
          const [a, b] = s.split('-').map(Number)
          return n + (b === undefined ? 1 : b - (a ?? 0) + 1)
        }, 0)
      return { id, address: { host: hostPort.slice(0, i), port: Number(hostPort.slice(i + 1)) }, flags: flags.split(','), masterId: master === '-' ? undefined : master, linkState: link, slotCount }
    })
}

function infoField(info: string, field: string): string | undefined {
  return new RegExp(`^${field}:(.*)$`, 'm').exec(info)?.[1]?.trim()
}

/** Overview card for a Redis Cluster: cluster_state, every node reachable, failures and lonely masters flagged. */
export async function probeRedisCluster(endpoint: RedisEndpoint, connections: Connections): Promise<SystemHealth> {
  const started = Date.now()
  const secrets = connections.secretValues()
  let view: { nodes: ClusterNodeLine[]; info: string } | undefined
  const seedErrors: NodeHealth[] = []
  for (const seed of endpoint.seeds) {
    const label = `${seed.host}:${seed.port}`
    let client: Redis | undefined
    try {
      client = await openNode(endpoint, connections, seed)
      const [nodes, info] = await withTimeout(`CLUSTER NODES on ${label}`, TIMEOUT_MS, Promise.all([client.call('CLUSTER', 'NODES'), client.call('CLUSTER', 'INFO')]))
      view = { nodes: parseNodes(String(nodes)), info: String(info) }
      break
    } catch (err) {
      seedErrors.push(nodeDown(label, label, err, secrets))
    } finally {
      client?.disconnect()
    }
  }
  if (!view) return systemHealth(endpoint, 'redis', started, seedErrors)

  const findings: Finding[] = []
  const state = infoField(view.info, 'cluster_state')
  if (state !== 'ok') findings.push({ status: 'critical', reason: `cluster_state is ${state}` })
  const assigned = Number(infoField(view.info, 'cluster_slots_assigned') ?? 0)
  if (assigned < 16384) findings.push({ status: 'critical', reason: `${16384 - assigned} slots are not covered` })

  const byId = new Map(view.nodes.map((n) => [n.id, n]))
  const nodes = await Promise.all(
    view.nodes
      .filter((n) => !n.flags.includes('noaddr'))
      .map(async (n): Promise<NodeHealth> => {
        const label = `${n.address.host}:${n.address.port}`
        const isMaster = n.flags.includes('master')
        const role = isMaster ? 'master' : `replica of ${byId.get(n.masterId ?? '')?.address.port ?? '?'}`
        if (n.flags.includes('fail')) return { id: n.id, label, role, status: 'critical', detail: 'marked FAIL by the cluster', metrics: {} }
        let client: Redis | undefined
        try {
          client = await openNode(endpoint, connections, n.address)
          const info = String(await withTimeout(`INFO on ${label}`, TIMEOUT_MS, client.info()))
          const usedMemory = Number(infoField(info, 'used_memory') ?? 0)
          const maxMemory = Number(infoField(info, 'maxmemory') ?? 0)
          const opsPerSec = Number(infoField(info, 'instantaneous_ops_per_sec') ?? 0)
          const link = infoField(info, 'master_link_status')
          const status = n.flags.includes('pfail') || (link !== undefined && link !== 'up') ? 'warn' : 'ok'
          const detail = [
            isMaster ? `${n.slotCount} slots` : `link ${link ?? '?'}`,
            `${(usedMemory / 1048576).toFixed(1)} MiB`,
            `${opsPerSec} ops/s`,
            n.flags.includes('pfail') ? 'PFAIL' : '',
          ].filter(Boolean).join(', ')
          return { id: n.id, label, role, status, detail, metrics: { usedMemory, maxMemory, opsPerSec, slots: n.slotCount } }
        } catch (err) {
          return { ...nodeDown(n.id, label, err, secrets, isMaster ? 'critical' : 'warn'), role }
        } finally {
          client?.disconnect()
        }
      }),
  )
  // Masters first, each followed by its replicas, in address order.
  const order = (n: NodeHealth) => {
    const line = byId.get(n.id)
    const master = line?.masterId ? byId.get(line.masterId) : line
    return `${master?.address.port ?? 0}`.padStart(6, '0') + (line?.masterId ? `r${line.address.port}` : 'm')
  }
  nodes.sort((a, b) => order(a).localeCompare(order(b)))
  for (const m of view.nodes.filter((n) => n.flags.includes('master') && n.slotCount > 0)) {
    const replicas = view.nodes.filter((r) => r.masterId === m.id && !r.flags.includes('fail'))
    if (replicas.length === 0) findings.push({ status: 'warn', reason: `master ${m.address.host}:${m.address.port} has no working replica` })
  }
  return systemHealth(endpoint, 'redis', started, nodes, findings)
}
