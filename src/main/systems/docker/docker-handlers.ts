import type { Handlers } from '../../core/handler-types'
import type { ServiceHub } from '../../core/service-hub'
import { containerLogs } from './docker-logs'

/** Request handlers for Docker: a container's logs (the app-tier view shows them). */
export function dockerHandlers(hub: ServiceHub): Pick<Handlers, 'docker:logs'> {
  return {
    'docker:logs': async (input) => containerLogs((await hub.connect(input.name)).connections, input.endpointId, input.container, input.since, input.tail),
  }
}
