import { defineSystem } from '../../core/system-module'
import { probeRedisCluster } from './overview-probe'
import { createRedisActions } from './redis-actions'
import { redisCli } from './redis-cli'
import { redisHandlers } from './redis-handlers'
import { readTopology } from './redis-watch'

export const redisSystem = defineSystem({
  id: 'redis',
  label: 'Redis Cluster',
  endpointKinds: ['redis-cluster'],
  probe: probeRedisCluster,
  handlers: redisHandlers,
  actions: createRedisActions,
  cli: redisCli,
  findings: async (hub, environment, endpointId) => (await readTopology(hub, environment, endpointId)).findings,
  observe: async (hub, environment, endpointId) => {
    const t = await readTopology(hub, environment, endpointId)
    if (t.nodes.length === 0) throw new Error(t.reason)
    const down = (n: (typeof t.nodes)[number]) => !!n.error || n.flags.includes('fail')
    // slots nobody serves now: uncovered, open, or owned by a master that is down (until a replica takes over)
    const unserved = t.nodes.filter((n) => n.role === 'master' && down(n)).reduce((a, n) => a + n.slots.reduce((b, r) => b + r.end - r.start + 1, 0), 0)
    const trouble = t.findings.filter((f) => f.code === 'uncovered-slots' || f.code === 'open-slots').length
    return [
      { endpointId, metric: 'redis-slots' as const, subject: 'cluster', value: unserved + trouble },
      ...t.nodes.map((n) => ({ endpointId, metric: 'node-down' as const, subject: n.addr, value: down(n) ? 1 : 0 })),
      ...t.nodes.flatMap((n) =>
        n.role === 'replica' && n.lagBytes !== null ? [{ endpointId, metric: 'redis-lag-bytes' as const, subject: n.addr, value: n.lagBytes }] : [],
      ),
    ]
  },
})
