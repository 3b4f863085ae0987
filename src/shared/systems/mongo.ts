import { z } from 'zod'
import { OfferedFix } from '../actions'
import { ConnError, HealthStatus } from '../health'
import { EndpointId, EnvironmentName, FilePath, endpointBase, viaSsh } from '../primitives'
import { HistorySource } from '../history'

export const MongoEndpoint = z.object({
  ...endpointBase,
  ...viaSsh,
  kind: z.literal('mongo'),
  /** The mongos (or a replica set); mongodb+srv:// is resolved by the driver and cannot go through viaSsh. */
  uri: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\//, 'a mongodb:// or mongodb+srv:// URI')
    .refine((u) => !/^mongodb(\+srv)?:\/\/[^@/]*:[^@/]*@/.test(u), 'put the password in the password field, not in the URI'),
  authMechanism: z.enum(['DEFAULT', 'SCRAM-SHA-256', 'SCRAM-SHA-1', 'MONGODB-X509']).default('DEFAULT'),
  tls: z
    .object({
      caFile: FilePath.optional(),
      /** Client certificate and key (PEM) for X.509; its passphrase is the endpoint's "passphrase" secret. */
      certificateKeyFile: FilePath.optional(),
      allowInvalidHostnames: z.boolean().default(false),
    })
    .optional(),
})

/**
 * A MongoDB sharded cluster as main reads it from the mongos and from direct connections to every
 * replica-set member. Shard-key bounds travel as canonical Extended JSON so MinKey/MaxKey survive.
 */

export const MongoShard = z.object({
  id: z.string(),
  /** "rsName/host:port,..." as listShards has it. */
  host: z.string(),
  replicaSet: z.string().nullable(),
  draining: z.boolean(),
  /** When Switchyard first saw it draining (epoch ms), to tell a long drain. */
  drainingSince: z.number().nullable(),
  chunks: z.number(),
  jumboChunks: z.number(),
  /** Owned bytes and documents from $shardedDataDistribution (6.0.3+), else null. */
  dataBytes: z.number().nullable(),
  documents: z.number().nullable(),
  primaryOf: z.array(z.string()),
})
export type MongoShard = z.infer<typeof MongoShard>

export const MongoShardShare = z.object({
  shard: z.string(),
  chunks: z.number(),
  jumbo: z.number(),
  bytes: z.number().nullable(),
  documents: z.number().nullable(),
})

export const MongoImbalance = z.object({
  /** 'bytes' (6.0.3+: the balancer compares data size) or 'chunks' (older servers: chunk counts). */
  metric: z.enum(['bytes', 'chunks']),
  /** Most minus least loaded shard, in the metric's unit. */
  spread: z.number(),
  /** The balancer migrates once the spread reaches this. */
  threshold: z.number(),
  exceeds: z.boolean(),
  heaviest: z.string().nullable(),
  lightest: z.string().nullable(),
})
export type MongoImbalance = z.infer<typeof MongoImbalance>

export const MongoCollectionBalance = z.object({
  ns: z.string(),
  uuid: z.string(),
  /** The shard key as Extended JSON ({"customerId":1}, {"_id":"hashed"}). */
  key: z.string(),
  noBalance: z.boolean(),
  chunks: z.number(),
  jumbo: z.number(),
  shards: z.array(MongoShardShare),
  imbalance: MongoImbalance,
  /**
   * The server's own verdict (balancerCollectionStatus, 4.4+): null when it could not be asked, with
   * the reason in verdictNote (an older server, a user without clusterManager).
   */
  verdict: z
    .object({
      compliant: z.boolean(),
      /** chunksImbalance, draining, zoneViolation, defragmentingChunks, … as the server names it. */
      violation: z.string().nullable(),
    })
    .nullable(),
  verdictNote: z.string().nullable(),
})
export type MongoCollectionBalance = z.infer<typeof MongoCollectionBalance>

export const MongoJumboChunk = z.object({
  ns: z.string(),
  shard: z.string(),
  min: z.string(),
  max: z.string(),
})
export type MongoJumboChunk = z.infer<typeof MongoJumboChunk>

export const BalancerWindow = z.object({
  start: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM, 24-hour'),
  stop: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM, 24-hour'),
})
export type BalancerWindow = z.infer<typeof BalancerWindow>

export const MongoBalancer = z.object({
  mode: z.string(),
  enabled: z.boolean(),
  running: z.boolean(),
  rounds: z.number(),
  window: BalancerWindow.nullable(),
  /** Whether the balancer may run now, by the mongos's clock as the window is read in (server local time). */
  inWindow: z.boolean(),
  chunkSizeMB: z.number(),
  /** True when chunksize is MongoDB's default (no config.settings document). */
  chunkSizeDefault: z.boolean(),
})
export type MongoBalancer = z.infer<typeof MongoBalancer>

export const MongoMigration = z.object({
  ns: z.string(),
  min: z.string(),
  max: z.string(),
  from: z.string(),
  to: z.string(),
  startedAt: z.number(),
  endedAt: z.number().nullable(),
  durationMs: z.number().nullable(),
  status: z.enum(['running', 'succeeded', 'failed']),
  error: z.string().nullable(),
})
export type MongoMigration = z.infer<typeof MongoMigration>

/** Replica set member states by their numeric code (MemberState, src/mongo/db/repl/member_state.h). */
export const MEMBER_STATES = [
  'STARTUP',
  'PRIMARY',
  'SECONDARY',
  'RECOVERING',
  'STATE4',
  'STARTUP2',
  'UNKNOWN',
  'ARBITER',
  'DOWN',
  'ROLLBACK',
  'REMOVED',
] as const

export const InitialSyncProgress = z.object({
  /** approxTotalBytesCopied / approxTotalDataSize, 0–100; null before the sizes are known. */
  percent: z.number().nullable(),
  copiedBytes: z.number().nullable(),
  totalBytes: z.number().nullable(),
  remainingMs: z.number().nullable(),
  attempt: z.number(),
  failedAttempts: z.number(),
})
export type InitialSyncProgress = z.infer<typeof InitialSyncProgress>

export const MongoMember = z.object({
  host: z.string(),
  id: z.number(),
  /** The state's name (PRIMARY, SECONDARY, STARTUP2, DOWN, …) from its numeric code. */
  state: z.string(),
  healthy: z.boolean(),
  /** The member's own account of its initial sync, while it is in one (STARTUP2). */
  initialSync: InitialSyncProgress.nullable(),
  /** Seconds behind the set's primary (null when there is no primary or the member is down). */
  lagSeconds: z.number().nullable(),
  optimeAt: z.number().nullable(),
  priority: z.number(),
  votes: z.number(),
  hidden: z.boolean(),
  delaySecs: z.number(),
  arbiter: z.boolean(),
  /** Times of the first and last entries of this member's oplog, read from it directly. */
  oplog: z.object({ firstAt: z.number(), lastAt: z.number(), windowHours: z.number() }).nullable(),
  /** Its dbPath's filesystem (dbStats fsUsedSize / fsTotalSize) and its databases on it (listDatabases totalSize); null where unread. */
  disk: z.object({ usedBytes: z.number(), totalBytes: z.number(), dataBytes: z.number() }).nullable().default(null),
  error: ConnError.optional(),
})
export type MongoMember = z.infer<typeof MongoMember>

export const MongoReplicaSet = z.object({
  name: z.string(),
  role: z.enum(['config', 'shard']),
  shard: z.string().nullable(),
  primary: z.string().nullable(),
  term: z.number().nullable(),
  electionTimeoutMs: z.number(),
  members: z.array(MongoMember),
  status: HealthStatus,
  error: ConnError.optional(),
})
export type MongoReplicaSet = z.infer<typeof MongoReplicaSet>

const target = { environment: z.string(), endpointId: z.string() }

export const MongoBalancerRequest = z.object({ ...target, kind: z.literal('mongo.balancer'), enable: z.boolean() })
export const MongoBalancerWindowRequest = z.object({ ...target, kind: z.literal('mongo.balancer-window'), window: BalancerWindow.nullable() })
export const MongoChunkSizeRequest = z.object({ ...target, kind: z.literal('mongo.chunk-size'), sizeMB: z.number().int().min(1).max(1024) })
const Namespace = z.string().regex(/^[^\0$.\s/\\"]+\.[^\0$]+$/, 'a namespace: database.collection')
/** A chunk's lower bound, canonical Extended JSON as the views show it. */
const Bound = z.string().min(2).max(4096)
export const MongoMoveRangeRequest = z.object({ ...target, kind: z.literal('mongo.move-range'), ns: Namespace, min: Bound, toShard: z.string().min(1) })
export const MongoClearJumboRequest = z.object({
  ...target,
  kind: z.literal('mongo.clear-jumbo'),
  ns: Namespace,
  min: Bound,
  /** Split the chunk (the flag goes with a successful split); false runs clearJumboFlag on it as it is. */
  split: z.boolean().default(true),
})
export const MongoStepDownRequest = z.object({
  ...target,
  kind: z.literal('mongo.step-down'),
  replicaSet: z.string().min(1),
  catchUpSecs: z.number().int().min(1).max(600).default(10),
  /** At least catch-up + election timeout; chosen from the set's settings when omitted. */
  stepDownSecs: z.number().int().min(10).max(3600).optional(),
})
export const MongoAddShardRequest = z.object({
  ...target,
  kind: z.literal('mongo.add-shard'),
  connectionString: z.string().regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.:[\]-]+(,[A-Za-z0-9_.:[\]-]+)*$/, 'replicaSetName/host:port,host:port'),
  name: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,64}$/)
    .optional(),
})
export const MongoRemoveShardRequest = z.object({ ...target, kind: z.literal('mongo.remove-shard'), shard: z.string().min(1) })

export const mongoActionRequests = [
  MongoBalancerRequest,
  MongoBalancerWindowRequest,
  MongoChunkSizeRequest,
  MongoMoveRangeRequest,
  MongoClearJumboRequest,
  MongoStepDownRequest,
  MongoAddShardRequest,
  MongoRemoveShardRequest,
] as const

export const MongoFinding = z.object({
  status: HealthStatus,
  code: z.enum([
    'imbalance-outside-window',
    'imbalance',
    'jumbo-chunks',
    'member-beyond-oplog',
    'member-lagging',
    'balancer-off',
    'long-drain',
    'no-primary',
    'member-down',
    'member-not-serving',
    'migration-failed',
  ]),
  reason: z.string(),
  /** The action that fixes it: a mongo.* action request without its environment and endpoint. */
  fix: OfferedFix.optional(),
})
export type MongoFinding = z.infer<typeof MongoFinding>

export const MongoCluster = z.object({
  environment: z.string(),
  endpointId: z.string(),
  checkedAt: z.number(),
  durationMs: z.number(),
  mongos: z.string(),
  version: z.string(),
  /** False on servers before 6.0.3, where $shardedDataDistribution does not exist. */
  dataDistribution: z.boolean(),
  shards: z.array(MongoShard),
  collections: z.array(MongoCollectionBalance),
  jumbo: z.array(MongoJumboChunk),
  balancer: MongoBalancer,
  migrations: z.object({ running: z.array(MongoMigration), recent: z.array(MongoMigration) }),
  replicaSets: z.array(MongoReplicaSet),
  findings: z.array(MongoFinding),
  status: HealthStatus,
  reason: z.string(),
})
export type MongoCluster = z.infer<typeof MongoCluster>

export const MongoLagSample = z.object({ at: z.number(), members: z.record(z.string(), z.number().nullable()) })
export type MongoLagSample = z.infer<typeof MongoLagSample>

const which = { name: EnvironmentName, endpointId: EndpointId.optional() }

export const mongoRequests = {
  /** Shards, chunk balance per collection, balancer, migrations, replica sets with lag, findings. */
  'mongo:cluster': { input: z.object(which), output: MongoCluster },
  /** Member lag samples recorded by earlier 'mongo:cluster' calls, for the lag chart. */
  'mongo:lag-history': {
    input: z.object({ ...which, sinceMs: z.number().optional() }),
    output: z.object({ samples: z.array(MongoLagSample), source: HistorySource }),
  },
} as const
