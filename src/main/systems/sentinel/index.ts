import { SwitchyardError } from '../../core/errors'
import { defineSystem } from '../../core/system-module'
import { discoverSentinel, redisSentinelFailover } from './sentinel'
import { sentinelCli } from './sentinel-cli'
import { probeSentinel } from './sentinel-probe'
import type { ServiceHub } from '../../core/service-hub'

async function topology(hub: ServiceHub, environment: string, endpointId: string) {
  const { connections } = await hub.connect(environment)
  const endpoint = connections.endpoint(endpointId)
  if (endpoint.kind !== 'redis-sentinel') throw new SwitchyardError('config', `"${endpointId}" is a ${endpoint.kind} endpoint, not Redis Sentinel`)
  return discoverSentinel(endpoint, connections, environment)
}

export const sentinelSystem = defineSystem({
  id: 'sentinel',
  label: 'Redis Sentinel',
  endpointKinds: ['redis-sentinel'],
  probe: probeSentinel,
  handlers: (hub) => ({ 'sentinel:topology': ({ environment, endpointId }) => topology(hub, environment, endpointId) }),
  actions: () => [redisSentinelFailover],
  cli: sentinelCli,
  findings: async (hub, environment, endpointId) => (await topology(hub, environment, endpointId)).findings,
})
