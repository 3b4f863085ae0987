import type { AnyActionDefinition } from '../actions/action-definition'
import { defaultDataDir } from '../app-paths'
import { MigrationStore } from './migration-store'
import { redisFailover } from './redis-failover'
import { redisFix } from './redis-fix'
import { redisSentinelFailover } from './sentinel'
import { addMasterAction, addReplicaAction, rebalanceAction, removeMasterAction } from './redis-scale'

/**
 * The Redis Cluster actions. Slot migrations persist their progress under the data folder so an
 * interrupted rebalance resumes; createRedisActions(hub.options.dataDir) pins that folder, the
 * plain `redisActions` list uses the default one (SWITCHYARD_HOME or ~/.config/switchyard).
 */
export function createRedisActions(dataDir: string): AnyActionDefinition[] {
  const store = new MigrationStore(dataDir)
  const deps = { store: () => store }
  return [redisFailover, rebalanceAction(deps), addMasterAction(deps), addReplicaAction, removeMasterAction(deps), redisFix, redisSentinelFailover]
}

let defaultStore: MigrationStore | undefined
const lazyDeps = { store: () => (defaultStore ??= new MigrationStore(defaultDataDir())) }

export const redisActions: AnyActionDefinition[] = [redisFailover, rebalanceAction(lazyDeps), addMasterAction(lazyDeps), addReplicaAction, removeMasterAction(lazyDeps), redisFix, redisSentinelFailover]
