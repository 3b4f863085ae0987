import type { Handlers } from '../../core/handler-types'
import type { ReplicaProvider } from '../../core/replicas'
import type { ServiceHub } from '../../core/service-hub'
import { nginxService } from './nginx-service'

export type NginxChannel = 'app:tier' | 'app:stub-history' | 'app:latency-history' | 'app:rightsize'

/** Request handlers for the app-tier view; actions go through the shared action runner. */
export function nginxHandlers(replicas: ReplicaProvider) {
  return (hub: ServiceHub): Pick<Handlers, NginxChannel> => {
    const service = nginxService(hub, replicas)
    return {
      'app:tier': (input) => service.tier(input.name, input.endpointId),
      'app:stub-history': (input) => service.stubHistory(input.name, input.endpointId, input.sinceMs),
      'app:latency-history': (input) => service.latencyHistory(input.name, input.endpointId, input.sinceMs),
      'app:rightsize': (input) => service.rightSize(input.name, input.endpointId),
    }
  }
}
