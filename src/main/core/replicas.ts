import type { Environment } from '../../shared/inventory'
import type { Replica, ReplicaGroup } from '../../shared/systems/docker'
import type { Connections } from './connections'

export type Progress = (message: string) => void

/**
 * What the load balancer's actions need from whatever runs the replicas behind it (Docker today).
 * The nginx system is given one by the registry, so neither system reaches into the other.
 */
export interface ReplicaProvider {
  /** Every replica group and container on the environment's container endpoints. */
  read(
    environment: Environment,
    connections: Connections,
  ): Promise<{ groups: ReplicaGroup[]; containers: Replica[]; errors: { endpointId: string; message: string }[] }>
  /** The ports the replicas added by scaling to `to` will serve on (throws with the reason when the group cannot scale). */
  portsFor(group: ReplicaGroup, to: number): number[]
  /** The replicas scaling in to `to` removes. */
  removedBy(group: ReplicaGroup, to: number): Replica[]
  /** The exact commands scaling (or restarting one replica) sends, for the plan. */
  scaleCommands(group: ReplicaGroup, to: number): string[]
  restartCommands(group: ReplicaGroup, replica: Replica): string[]
  /** Start replicas until there are `to`; resolves once each is running (and healthy when it has a health check). */
  scaleOut(connections: Connections, group: ReplicaGroup, to: number, progress: Progress, signal: AbortSignal): Promise<Replica[]>
  /** Remove replicas until there are `to`; resolves once the removed ones have stopped. */
  scaleIn(connections: Connections, group: ReplicaGroup, to: number, progress: Progress, signal: AbortSignal): Promise<Replica[]>
  /** Restart one replica; resolves with its successor (same slot) running. */
  restart(connections: Connections, group: ReplicaGroup, replica: Replica, progress: Progress, signal: AbortSignal): Promise<Replica>
}
