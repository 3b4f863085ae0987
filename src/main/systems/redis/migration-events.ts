import { EventEmitter } from 'node:events'
import type { MigrationProgress } from '../../../shared/systems/redis'

/**
 * Progress of running slot migrations, for every watcher of the cluster (the action runner only
 * knows the planner's client). One process-wide bus: migrations are rare and few.
 */
const bus = new EventEmitter()
bus.setMaxListeners(100)

export function publishMigrationProgress(p: MigrationProgress): void {
  bus.emit('progress', p)
}

export function onMigrationProgress(listener: (p: MigrationProgress) => void): () => void {
  bus.on('progress', listener)
  return () => bus.off('progress', listener)
}
