import { defineSystem } from '../../core/system-module'
import { sentinelHandlers, topology } from './sentinel-handlers'
import { redisSentinelFailover } from './actions/failover'
import { sentinelCli } from './sentinel-cli'
import { probeSentinel } from './overview-probe'

export const sentinelSystem = defineSystem({
  id: 'sentinel',
  label: 'Redis Sentinel',
  endpointKinds: ['redis-sentinel'],
  probe: probeSentinel,
  handlers: sentinelHandlers,
  actions: () => [redisSentinelFailover],
  cli: sentinelCli,
  findings: async (hub, environment, endpointId) => (await topology(hub, environment, endpointId)).findings,
})
