import { Redis } from 'ioredis'
import type { NodeHealth, SystemHealth } from '../../../shared/health'
import type { EndpointOf } from '../../../shared/inventory'
import type { Connections } from '../../core/connections'
import { withTimeout } from '../../core/errors'
import { nodeDown, systemHealth, type Finding } from '../../core/system-health'

type SentinelEndpoint = EndpointOf<'redis-sentinel'>

function pairs(reply: unknown): Record<string, string> {
  const arr = Array.isArray(reply) ? reply.map(String) : []
  const out: Record<string, string> = {}
  for (let i = 0; i + 1 < arr.length; i += 2) out[arr[i]!] = arr[i + 1]!
  return out
}

/** Overview card for Redis Sentinel: every sentinel reachable, each watched master with quorum. */
export async function probeSentinel(endpoint: SentinelEndpoint, connections: Connections): Promise<SystemHealth> {
  const started = Date.now()
  const secrets = connections.secretValues()
  const findings: Finding[] = []
  const nodes = await Promise.all(
    endpoint.sentinels.map(async (s): Promise<NodeHealth> => {
      const label = `${s.host}:${s.port}`
      const at = await connections.reach(endpoint, s).catch(() => s)
      const client = new Redis({
        host: at.host,
        port: at.port,
        username: endpoint.username,
        password: connections.secret(endpoint.id),
        lazyConnect: true,
        connectTimeout: 3000,
        commandTimeout: 3000,
        maxRetriesPerRequest: 0,
        enableOfflineQueue: false,
        retryStrategy: () => null,
      })
      client.on('error', () => undefined)
      try {
        await client.connect()
        const masters = ((await withTimeout(`SENTINEL MASTERS on ${label}`, 3000, client.call('SENTINEL', 'MASTERS'))) as unknown[]).map(pairs)
        const watched = endpoint.masterName ? masters.filter((m) => m.name === endpoint.masterName) : masters
        if (endpoint.masterName && watched.length === 0) findings.push({ status: 'critical', reason: `${label} does not monitor ${endpoint.masterName}` })
        for (const m of watched) {
          const quorum = await client.call('SENTINEL', 'CKQUORUM', m.name!).then(
            () => true,
            (err: unknown) => {
              findings.push({ status: 'critical', reason: `${m.name}: ${err instanceof Error ? err.message : String(err)}` })
              return false
            },
          )
          if (quorum && /s_down|o_down/.test(m.flags ?? '')) findings.push({ status: 'critical', reason: `${m.name} is ${m.flags}` })
        }
        return {
          id: label,
          label,
          role: 'sentinel',
          status: 'ok',
          detail: watched.map((m) => `${m.name} → ${m.ip}:${m.port}`).join(', ') || 'no masters',
          metrics: { masters: watched.length },
        }
      } catch (err) {
        return nodeDown(label, label, err, secrets, endpoint.sentinels.length > 1 ? 'warn' : 'critical')
      } finally {
        client.disconnect()
      }
    }),
  )
  return systemHealth(endpoint, 'sentinel', started, nodes, findings)
}
