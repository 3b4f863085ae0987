import type { Handlers } from '../handlers'
import type { ServiceHub } from '../service-hub'
import { PostgresService } from './postgres-service'

export type PostgresChannel = 'pg:topology' | 'pg:health' | 'pg:lag-history'

/** Request handlers for the PostgreSQL views; actions go through the shared action runner. */
export function postgresHandlers(hub: ServiceHub, service = new PostgresService(hub)): Pick<Handlers, PostgresChannel> {
  return {
    'pg:topology': (input) => service.topology(input.name, input.endpointId, input.thresholds),
    'pg:health': (input) => service.health(input.name, input.endpointId, input.node),
    'pg:lag-history': (input) => service.lagHistory(input.name, input.endpointId, input.sinceMs),
  }
}
