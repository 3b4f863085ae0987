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
})
