import { SwitchyardError } from '../../core/errors'
import type { Handlers } from '../../core/handler-types'
import type { ServiceHub } from '../../core/service-hub'
import { discoverSentinel } from './sentinel-reader'

/** A Sentinel deployment as its view shows it. */
export async function topology(hub: ServiceHub, environment: string, endpointId: string) {
  const { connections } = await hub.connect(environment)
  const endpoint = connections.endpoint(endpointId)
  if (endpoint.kind !== 'redis-sentinel') throw new SwitchyardError('config', `"${endpointId}" is a ${endpoint.kind} endpoint, not Redis Sentinel`)
  return discoverSentinel(endpoint, connections, environment)
}

/** Request handlers for the Sentinel view; the failover goes through the shared action runner. */
export function sentinelHandlers(hub: ServiceHub): Pick<Handlers, 'sentinel:topology'> {
  return { 'sentinel:topology': ({ environment, endpointId }) => topology(hub, environment, endpointId) }
}
