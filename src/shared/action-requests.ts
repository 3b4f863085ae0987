import { z } from 'zod'
import { PgAddReplicaRequest, PgFailoverRequest, PgRejoinRequest, PgRemoveReplicaRequest, PgSwitchoverRequest } from './postgres'
import { RedisAddMasterRequest, RedisAddReplicaRequest, RedisFailoverRequest, RedisFixRequest, RedisRebalanceRequest, RedisRemoveMasterRequest, RedisSentinelFailoverRequest } from './redis'

/**
 * The parameters of every action, one schema per kind. A system adds its actions here so that the
 * request is validated at the boundary like every other message.
 */
const target = { environment: z.string(), endpointId: z.string() }

export const DockerRestartRequest = z.object({
  ...target,
  kind: z.literal('docker.restart'),
  container: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/, 'not a container name or id'),
})

export const ActionRequest = z.discriminatedUnion('kind', [
  DockerRestartRequest,
  PgSwitchoverRequest,
  PgFailoverRequest,
  PgRejoinRequest,
  PgAddReplicaRequest,
  PgRemoveReplicaRequest,
  RedisFailoverRequest,
  RedisAddMasterRequest,
  RedisAddReplicaRequest,
  RedisRemoveMasterRequest,
  RedisRebalanceRequest,
  RedisFixRequest,
  RedisSentinelFailoverRequest,
])
export type ActionRequest = z.infer<typeof ActionRequest>
export type ActionKind = ActionRequest['kind']
