import { DockerEndpoint, dockerActionRequests, dockerRequests } from './docker'
import { MongoEndpoint, mongoActionRequests, mongoRequests } from './mongo'
import { NginxEndpoint, nginxActionRequests, nginxRequests } from './nginx'
import { patroniActionRequests } from './patroni'
import { PgbouncerEndpoint, pgbouncerRequests } from './pgbouncer'
import { PostgresEndpoint, pgActionRequests, postgresRequests } from './postgres'
import { RedisClusterEndpoint, redisActionRequests, redisEvents, redisRequests } from './redis'
import { RedisSentinelEndpoint, sentinelActionRequests, sentinelRequests } from './sentinel'
import { SshEndpoint } from './ssh'

/**
 * The contract's registry of systems: each system's endpoint schema, requests, events and action
 * parameters, from its own file in this folder. Adding a system adds one line to each list.
 */
export const endpointSchemas = [
  SshEndpoint,
  RedisClusterEndpoint,
  RedisSentinelEndpoint,
  MongoEndpoint,
  PostgresEndpoint,
  PgbouncerEndpoint,
  NginxEndpoint,
  DockerEndpoint,
] as const

export const systemRequests = {
  ...redisRequests,
  ...sentinelRequests,
  ...postgresRequests,
  ...pgbouncerRequests,
  ...mongoRequests,
  ...nginxRequests,
  ...dockerRequests,
} as const

export const systemEvents = { ...redisEvents } as const

export const systemActionRequests = [
  ...dockerActionRequests,
  ...pgActionRequests,
  ...patroniActionRequests,
  ...redisActionRequests,
  ...sentinelActionRequests,
  ...mongoActionRequests,
  ...nginxActionRequests,
] as const
