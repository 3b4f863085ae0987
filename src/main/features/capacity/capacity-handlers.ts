import type { Handlers } from '../../core/handler-types'
import type { ServiceHub } from '../../core/service-hub'
import { capacityReport } from './capacity-report'

/** The Capacity view's one request. */
export function capacityHandlers(hub: ServiceHub): Pick<Handlers, 'capacity:env'> {
  return { 'capacity:env': ({ name }) => capacityReport(hub, name) }
}
