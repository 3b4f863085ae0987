import { z } from 'zod'
import { EnvironmentName, HostPort, endpointBase, viaSsh, FilePath } from '../primitives'
import { ConnError, Finding, HealthStatus } from '../health'

export const RedisSentinelEndpoint = z.object({
  ...endpointBase,
  ...viaSsh,
  kind: z.literal('redis-sentinel'),
  sentinels: z.array(HostPort).min(1, 'at least one sentinel'),
  masterName: z.string().min(1).optional(),
  username: z.string().min(1).optional(),
  tls: z.boolean().default(false),
  /** PEM file of the CA that signs the nodes' certificates (the system's CAs when absent); the node's name is always checked. */
  caFile: FilePath.optional(),
})

/** Redis Sentinel: the monitored masters with their replicas and sentinels, and SENTINEL FAILOVER. */

export const SentinelReplica = z.object({
  addr: z.string(),
  flags: z.array(z.string()),
  linkStatus: z.string(),
  /** Bytes behind the master's offset as the sentinel last saw them, null when unknown. */
  lagBytes: z.number().nullable(),
  priority: z.number(),
})

export const SentinelMaster = z.object({
  name: z.string(),
  addr: z.string(),
  flags: z.array(z.string()),
  quorum: z.number(),
  replicas: z.array(SentinelReplica),
  sentinels: z.array(z.object({ addr: z.string(), runId: z.string(), flags: z.array(z.string()) })),
  /** CKQUORUM as answered by the first sentinel that knows this master. */
  ckquorum: z.object({ ok: z.boolean(), message: z.string() }),
  failoverState: z.string().optional(),
})
export type SentinelMaster = z.infer<typeof SentinelMaster>

export const SentinelTopology = z.object({
  environment: z.string(),
  endpointId: z.string(),
  sentinels: z.array(z.object({ addr: z.string(), masters: z.array(z.string()), error: ConnError.optional() })),
  masters: z.array(SentinelMaster),
  findings: z.array(Finding),
  status: HealthStatus,
  reason: z.string(),
  checkedAt: z.number(),
  durationMs: z.number(),
})
export type SentinelTopology = z.infer<typeof SentinelTopology>

export const RedisSentinelFailoverRequest = z.object({
  environment: z.string(),
  endpointId: z.string(),
  kind: z.literal('redis.sentinel-failover'),
  master: z.string().min(1),
  timeoutMs: z.number().int().min(1000).max(300_000).default(60_000),
})

export const sentinelRequests = {
  /** Masters, replicas and sentinels of a Sentinel deployment, with CKQUORUM. */
  'sentinel:topology': { input: z.object({ environment: EnvironmentName, endpointId: z.string() }), output: SentinelTopology },
} as const

export const sentinelActionRequests = [RedisSentinelFailoverRequest] as const
