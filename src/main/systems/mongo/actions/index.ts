import type { AnyActionDefinition } from '../../../core/actions/action-definition'
import { mongoBalancer, mongoBalancerWindow, mongoChunkSize } from './balancer'
import { mongoClearJumbo, mongoMoveRange } from './chunks'
import { mongoAddShard, mongoRemoveShard } from './shards'
import { mongoStepDown } from './step-down'

/** MongoDB's actions, one file per kind of change: balancer settings, chunks, the step-down, shards. */
export const mongoActions: AnyActionDefinition[] = [
  mongoBalancer,
  mongoBalancerWindow,
  mongoChunkSize,
  mongoMoveRange,
  mongoClearJumbo,
  mongoStepDown,
  mongoAddShard,
  mongoRemoveShard,
]
