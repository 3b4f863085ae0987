import { observeRedis } from './redis-observe'
import { defineSystem } from '../../core/system-module'
import { redisConditions } from './redis-conditions'
import { probeRedisCluster } from './overview-probe'
import { createRedisActions } from './actions/index'
import { redisCli } from './redis-cli'
import { redisHandlers } from './redis-handlers'
import { MOMENT_POINTS, momentSeries, reduceFields } from '../../core/history/moments'
import { nodesScope, readTopology } from './redis-watch'

export const redisSystem = defineSystem({
  id: 'redis',
  label: 'Redis Cluster',
  endpointKinds: ['redis-cluster'],
  probe: probeRedisCluster,
  handlers: redisHandlers,
  actions: createRedisActions,
  cli: redisCli,
  conditions: redisConditions,
  findings: async (hub, environment, endpointId) => (await readTopology(hub, environment, endpointId)).findings,
  observe: observeRedis,
  moments: (hub, environment, endpointId, from, to) => {
    const points = hub.history.read(nodesScope(environment, endpointId), from, to, MOMENT_POINTS)
    return Promise.resolve([
      momentSeries(points, 'Redis ops/s (all nodes)', 'ops/s', (v) => reduceFields(v, 'ops', 'sum')),
      momentSeries(points, 'Redis replica lag (worst)', 'bytes', (v) => reduceFields(v, 'lag', 'max')),
    ])
  },
})
