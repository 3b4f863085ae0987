import type { Handlers } from '../../core/handler-types'
import type { ServiceHub } from '../../core/service-hub'
import { postgresService } from './postgres-service'

export type PostgresChannel = 'pg:topology' | 'pg:health' | 'pg:lag-history' | 'pgbouncer:status'

/** Request handlers for the PostgreSQL views; actions go through the shared action runner. */
export function postgresHandlers(hub: ServiceHub): Pick<Handlers, PostgresChannel> {
  const service = postgresService(hub)
  return {
    'pg:topology': (input) => service.topology(input.name, input.endpointId, input.thresholds),
    'pg:health': (input) => service.health(input.name, input.endpointId, input.node),
    'pg:lag-history': (input) => service.lagHistory(input.name, input.endpointId, input.sinceMs),
    'pgbouncer:status': (input) => service.bouncer(input.name, input.endpointId),
  }
}
