import type { AnyActionDefinition } from '../../../core/actions/action-definition'
import type { ServiceHub } from '../../../core/service-hub'
import { MigrationStore } from '../migration-store'
import { redisFailover } from './failover'
import { redisFix } from './fix'
import { addMasterAction } from './add-master'
import { addReplicaAction } from './add-replica'
import { rebalanceAction } from './rebalance'
import { removeMasterAction } from './remove-master'

/** The hub's store of slot-migration progress under its data folder, so an interrupted rebalance resumes. */
export function migrationStore(hub: Pick<ServiceHub, 'service' | 'options'>): MigrationStore {
  return hub.service('redis.migrations', (h) => new MigrationStore(h.options.dataDir))
}

/** The Redis Cluster actions. */
export function createRedisActions(hub: ServiceHub): AnyActionDefinition[] {
  const store = migrationStore(hub)
  const deps = { store: () => store }
  return [redisFailover, rebalanceAction(deps), addMasterAction(deps), addReplicaAction, removeMasterAction(deps), redisFix]
}
