import { z } from 'zod'
import { EndpointId, EnvironmentName, Host, HostPort, Port, endpointBase, viaSsh, FilePath } from '../primitives'
import { ConnError, HealthStatus } from '../health'
import { HistorySource } from '../history'

export const RedisClusterEndpoint = z.object({
  ...endpointBase,
  ...viaSsh,
  kind: z.literal('redis-cluster'),
  seeds: z.array(HostPort).min(1, 'at least one seed node'),
  username: z.string().min(1).optional(),
  tls: z.boolean().default(false),
  /** PEM file of the CA that signs the nodes' certificates (the system's CAs when absent); the node's name is always checked. */
  caFile: FilePath.optional(),
  /** SSH host on which redis-server nodes run, for actions that start or stop processes. */
  sshHostId: EndpointId.optional(),
})

/**
 * Redis Cluster: what the renderer, the CLI and the tests see of a cluster, the requests that
 * read it and the parameters of the actions that change it.
 */

export const SlotRangeSchema = z.object({ start: z.number().int().min(0).max(16383), end: z.number().int().min(0).max(16383) })

/** A node by its 40-character id or by host:port as the cluster announces it. */
export const RedisNodeRef = z
  .string()
  .trim()
  .regex(/^(?:[0-9a-f]{40}|[A-Za-z0-9.:[\]-]+:\d{1,5})$/, 'a 40-character node id or host:port')
export type RedisNodeRef = z.infer<typeof RedisNodeRef>

export const ClusterNodeRole = z.enum(['master', 'replica'])

/** One line of CLUSTER NODES, as seen by the node that answered. */
export const ClusterNodeEntry = z.object({
  id: z.string(),
  host: z.string(),
  port: z.number().int(),
  cport: z.number().int(),
  hostname: z.string().optional(),
  /** host:port as announced (the key for MOVED/ASK and for natMap). */
  addr: z.string(),
  flags: z.array(z.string()),
  role: ClusterNodeRole,
  masterId: z.string().nullable(),
  pingSentMs: z.number(),
  pongRecvMs: z.number(),
  configEpoch: z.number(),
  linkState: z.enum(['connected', 'disconnected']),
  slots: z.array(SlotRangeSchema),
  migrating: z.array(z.object({ slot: z.number().int(), to: z.string() })),
  importing: z.array(z.object({ slot: z.number().int(), from: z.string() })),
})
export type ClusterNodeEntry = z.infer<typeof ClusterNodeEntry>

/** The parts of INFO a DBA watches, per node. */
export const RedisNodeStats = z.object({
  version: z.string(),
  uptimeSeconds: z.number(),
  usedMemory: z.number(),
  maxmemory: z.number(),
  /** usedMemory / maxmemory, null when maxmemory is 0 (unlimited). */
  memoryFraction: z.number().nullable(),
  /** The host's memory (INFO total_system_memory): what an unlimited node runs out of. */
  totalSystemMemory: z.number().optional(),
  /** Replication and AOF buffers, which maxmemory does not count (INFO mem_not_counted_for_evict). */
  memNotCountedForEvict: z.number().optional(),
  opsPerSec: z.number(),
  connectedClients: z.number(),
  keys: z.number(),
  expires: z.number(),
  role: ClusterNodeRole,
  /** master_repl_offset: on a master its write offset, on a replica the offset it has received up to. */
  replOffset: z.number(),
  connectedReplicas: z.number(),
  masterLinkStatus: z.enum(['up', 'down']).optional(),
  masterLastIoSecondsAgo: z.number().optional(),
  masterSyncInProgress: z.boolean().optional(),
  clusterState: z.string().optional(),
})
export type RedisNodeStats = z.infer<typeof RedisNodeStats>

export const RedisNode = ClusterNodeEntry.extend({
  stats: RedisNodeStats.nullable(),
  /** Bytes the replica is behind its master (master offset − replica offset), null when unknown. */
  lagBytes: z.number().nullable(),
  /** Set when this node could not be polled; the snapshot still stands. */
  error: ConnError.optional(),
  status: HealthStatus,
  detail: z.string(),
})
export type RedisNode = z.infer<typeof RedisNode>

/** A run of slots with the same owner and migration state. */
export const SlotOwnerRange = SlotRangeSchema.extend({
  owner: z.string().nullable(),
  migratingTo: z.string().optional(),
  importingFrom: z.string().optional(),
})
export type SlotOwnerRange = z.infer<typeof SlotOwnerRange>

export const MasterBalance = z.object({
  id: z.string(),
  addr: z.string(),
  slots: z.number().int(),
  ranges: z.array(SlotRangeSchema),
  expectedSlots: z.number(),
  /** (slots − expected) / expected, as a percentage; −100 for an empty master. */
  imbalancePct: z.number(),
  keys: z.number().nullable(),
  usedMemory: z.number().nullable(),
  replicas: z.number().int(),
})
export type MasterBalance = z.infer<typeof MasterBalance>

export const RedisFindingCode = z.enum([
  'unreachable',
  'cluster-state',
  'uncovered-slots',
  'open-slots',
  'node-failed',
  'node-pfail',
  'handshake',
  'master-without-replica',
  'replica-same-host',
  'single-host',
  'replica-link-down',
  'replica-lag',
  'config-disagreement',
  'memory',
  'imbalance',
  'empty-master',
])
export type RedisFindingCode = z.infer<typeof RedisFindingCode>

export const RedisFinding = z.object({
  code: RedisFindingCode,
  severity: z.enum(['info', 'warn', 'critical']),
  message: z.string(),
  nodes: z.array(z.string()).default([]),
  /** The action that fixes it, when there is one (an ActionRequest kind), and how to describe it. */
  fix: z.object({ kind: z.string(), label: z.string() }).optional(),
})
export type RedisFinding = z.infer<typeof RedisFinding>

export const RedisFeatures = z.object({
  clusterShards: z.boolean(),
  /** Atomic slot migration: Redis 8.4 CLUSTER MIGRATION, Valkey 9 CLUSTER MIGRATESLOTS. */
  atomicMigration: z.enum(['none', 'redis-cluster-migration', 'valkey-migrateslots']),
})
export type RedisFeatures = z.infer<typeof RedisFeatures>

export const RedisTopology = z.object({
  environment: z.string(),
  endpointId: z.string(),
  name: z.string(),
  /** The node whose CLUSTER NODES is the reference view. */
  seed: z.string().nullable(),
  clusterState: z.string(),
  clusterInfo: z.record(z.string(), z.string()),
  features: RedisFeatures,
  nodes: z.array(RedisNode),
  slots: z.array(SlotOwnerRange),
  masters: z.array(MasterBalance),
  findings: z.array(RedisFinding),
  status: HealthStatus,
  reason: z.string(),
  error: ConnError.optional(),
  checkedAt: z.number(),
  durationMs: z.number(),
})
export type RedisTopology = z.infer<typeof RedisTopology>

export const RedisTimelineEvent = z.object({
  at: z.number(),
  kind: z.enum([
    'node-added',
    'node-removed',
    'node-failed',
    'node-recovered',
    'pfail',
    'promoted',
    'demoted',
    'state-changed',
    'slots-moved',
    'unreachable',
    'reachable',
  ]),
  node: z.string().optional(),
  message: z.string(),
})
export type RedisTimelineEvent = z.infer<typeof RedisTimelineEvent>

export const MigrationMove = z.object({ source: z.string(), target: z.string(), ranges: z.array(SlotRangeSchema) })
export type MigrationMove = z.infer<typeof MigrationMove>

export const MigrationProgress = z.object({
  migrationId: z.string(),
  environment: z.string(),
  endpointId: z.string(),
  state: z.enum(['running', 'done', 'cancelled', 'failed']),
  slotsDone: z.number().int(),
  slotsTotal: z.number().int(),
  keysMoved: z.number().int(),
  keysPerSec: z.number(),
  etaSeconds: z.number().nullable(),
  inFlight: z.array(z.object({ source: z.string(), target: z.string(), slots: z.number().int() })),
  message: z.string().optional(),
  at: z.number(),
})
export type MigrationProgress = z.infer<typeof MigrationProgress>

/** A slot migration persisted in the data folder so an interrupted rebalance resumes. */
export const MigrationRecord = z.object({
  migrationId: z.string(),
  environment: z.string(),
  endpointId: z.string(),
  reason: z.string(),
  createdAt: z.number(),
  updatedAt: z.number(),
  moves: z.array(MigrationMove),
  done: z.array(SlotRangeSchema),
  keysMoved: z.number().int(),
  state: z.enum(['running', 'interrupted', 'done', 'failed', 'cancelled']),
  lastError: z.string().optional(),
})
export type MigrationRecord = z.infer<typeof MigrationRecord>

/** One sample per node per poll, for the sparklines of the node table. */
export const RedisNodeSample = z.object({
  at: z.number(),
  opsPerSec: z.number().nullable(),
  usedMemory: z.number().nullable(),
  lagBytes: z.number().nullable(),
})
export type RedisNodeSample = z.infer<typeof RedisNodeSample>

const NamedSeries = z.object({ name: z.string(), values: z.array(z.number().nullable()), rest: z.boolean().optional() })

/** A cluster over a time range: load and memory of the biggest masters (the rest summed), and the worst replica lag. */
export const RedisHistory = z.object({
  at: z.array(z.number()),
  ops: z.array(NamedSeries),
  memory: z.array(NamedSeries),
  maxLagBytes: z.array(z.number().nullable()),
  source: HistorySource,
})
export type RedisHistory = z.infer<typeof RedisHistory>

const clusterTarget = { environment: EnvironmentName, endpointId: z.string().default('redis') }

export const redisRequests = {
  /** One full snapshot: topology, slot map, per-node INFO, balance and findings. */
  'redis:topology': { input: z.object({ ...clusterTarget }), output: RedisTopology },
  /** Ops/s and memory per master and the worst replica lag over time, from the environment's Prometheus first. */
  'redis:history': { input: z.object({ ...clusterTarget, sinceMs: z.number().optional() }), output: RedisHistory },
  /** CLUSTER COUNTKEYSINSLOT for a slot range on its owners (hover on the slot map). */
  'redis:slot-keys': {
    input: z
      .object({ ...clusterTarget, start: z.number().int().min(0).max(16383), end: z.number().int().min(0).max(16383) })
      .refine((r) => r.end >= r.start && r.end - r.start < 1024, 'at most 1024 slots, start ≤ end'),
    output: z.object({
      slots: z.array(
        z.object({
          slot: z.number().int(),
          owner: z.string().nullable(),
          keys: z.number().nullable(),
          migratingTo: z.string().optional(),
          importingFrom: z.string().optional(),
        }),
      ),
    }),
  },
  /** The persisted migration of this cluster, if one did not finish. */
  'redis:migration-status': { input: z.object({ ...clusterTarget }), output: z.object({ migration: MigrationRecord.nullable() }) },
  /** Push 'redis:topology' snapshots (with a timeline of changes) and migration progress to this client. */
  'redis:watch': {
    input: z.object({ ...clusterTarget, intervalMs: z.number().int().min(500).max(300_000).default(2000) }),
    output: z.object({ intervalMs: z.number() }),
  },
  'redis:unwatch': { input: z.object({ environment: EnvironmentName.optional() }), output: z.object({}) },
} as const

export const redisEvents = {
  /** A snapshot, what changed since the previous one, and the recent samples per node id (oldest first). */
  'redis:topology': z.object({ topology: RedisTopology, timeline: z.array(RedisTimelineEvent), history: z.record(z.string(), z.array(RedisNodeSample)) }),
  'redis:migration-progress': MigrationProgress,
} as const

// ---- action parameters (joined into ActionRequest in action-requests.ts) ----

const actionTarget = { environment: z.string(), endpointId: z.string().default('redis') }

export const FailoverMode = z.enum(['default', 'force', 'takeover'])
export type FailoverMode = z.infer<typeof FailoverMode>

export const RedisFailoverRequest = z.object({
  ...actionTarget,
  kind: z.literal('redis.failover'),
  /** The master to fail over (its replica is promoted). */
  master: RedisNodeRef,
  /** A replica of that master, or "best" (smallest lag with its link up). */
  replica: z.union([z.literal('best'), RedisNodeRef]).default('best'),
  mode: FailoverMode.default('default'),
  /** Pre-check: refuse when the chosen replica is further behind than this (default mode only). */
  maxLagBytes: z.number().int().min(0).default(1_048_576),
  timeoutMs: z.number().int().min(1000).max(300_000).default(30_000),
})

export const RedisRebalanceRequest = z.object({
  ...actionTarget,
  kind: z.literal('redis.rebalance'),
  /** Relative weight per master (id or host:port); unlisted masters weigh 1; 0 drains a master. */
  weights: z.record(z.string(), z.number().min(0).max(1000)).default({}),
  useEmptyMasters: z.boolean().default(true),
  /** Skip when no master is further than this from its share (percent), like redis-cli's threshold. */
  thresholdPct: z.number().min(0).max(100).default(2),
  /** Migrations in flight at once (pairs with distinct source and target nodes). */
  concurrency: z.number().int().min(1).max(8).default(3),
  /** Keys per MIGRATE command. */
  batchKeys: z.number().int().min(1).max(10_000).default(1000),
})

export const RedisAddMasterRequest = z.object({
  ...actionTarget,
  kind: z.literal('redis.add-master'),
  node: z.object({ host: Host, port: Port }),
  rebalance: z.boolean().default(true),
  weight: z.number().min(0).max(1000).default(1),
  concurrency: z.number().int().min(1).max(8).default(3),
  /**
   * Start the node first, over SSH on the host that runs it, from a template redis.conf (port, dir,
   * pidfile and logfile are rewritten for the new node). Without it the node must already run.
   */
  start: z
    .object({
      /** SSH host of the environment; defaults to the endpoint's sshHostId. */
      sshHostId: z.string().optional(),
      template: z.string().regex(/^\/[A-Za-z0-9._/-]+$/, 'an absolute path on the host (letters, digits, . _ - /)'),
      dir: z.string().regex(/^\/[A-Za-z0-9._/-]+$/, 'an absolute path on the host (letters, digits, . _ - /)'),
    })
    .optional(),
})

export const RedisAddReplicaRequest = z.object({
  ...actionTarget,
  kind: z.literal('redis.add-replica'),
  node: z.object({ host: Host, port: Port }),
  master: RedisNodeRef,
})

export const RedisRemoveMasterRequest = z.object({
  ...actionTarget,
  kind: z.literal('redis.remove-master'),
  node: RedisNodeRef,
  concurrency: z.number().int().min(1).max(8).default(3),
})

export const RedisFixRequest = z.object({
  ...actionTarget,
  kind: z.literal('redis.fix'),
})

export const redisActionRequests = [
  RedisFailoverRequest,
  RedisRebalanceRequest,
  RedisAddMasterRequest,
  RedisAddReplicaRequest,
  RedisRemoveMasterRequest,
  RedisFixRequest,
] as const
