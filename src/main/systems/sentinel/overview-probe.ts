import type { NodeHealth, SystemHealth } from '../../../shared/health'
import type { EndpointOf } from '../../../shared/inventory'
import type { Connections } from '../../core/connections'
import { withTimeout } from '../../core/errors'
import { nodeDown, systemHealth, type Finding } from '../../core/system-health'
import { pairs, withSentinel } from './sentinel-client'

type SentinelEndpoint = EndpointOf<'redis-sentinel'>

/** Overview card for Redis Sentinel: every sentinel reachable, each watched master with quorum. */
export async function probeSentinel(endpoint: SentinelEndpoint, connections: Connections): Promise<SystemHealth> {
  const started = Date.now()
  const secrets = connections.secretValues()
  const findings: Finding[] = []
  const nodes = await Promise.all(
    endpoint.sentinels.map(async (s): Promise<NodeHealth> => {
      const label = `${s.host}:${s.port}`
      try {
        return await withSentinel(endpoint, connections, s.host, s.port, async (client) => {
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
          } satisfies NodeHealth
        })
      } catch (err) {
        return nodeDown(label, label, err, secrets, endpoint.sentinels.length > 1 ? 'warn' : 'critical')
      }
    }),
  )
  return systemHealth(endpoint, 'sentinel', started, nodes, findings)
}
