import type { Handlers } from '../../core/handler-types'
import type { ServiceHub } from '../../core/service-hub'
import { mongoService } from './mongo-service'

export type MongoChannel = 'mongo:cluster' | 'mongo:lag-history'

/** Request handlers for the MongoDB views; actions go through the shared action runner. */
export function mongoHandlers(hub: ServiceHub): Pick<Handlers, MongoChannel> {
  const service = mongoService(hub)
  return {
    'mongo:cluster': (input) => service.cluster(input.name, input.endpointId),
    'mongo:lag-history': (input) => service.lagHistory(input.name, input.endpointId, input.sinceMs),
  }
}
