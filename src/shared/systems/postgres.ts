import { z } from 'zod'
import { EndpointId, EnvironmentName, Host, Port, endpointBase, viaSsh, pgTls } from '../primitives'
import { ConnError, HealthStatus } from '../health'
import { PatroniSettings, PatroniView } from './patroni'
import { HistorySource } from '../history'

export const PostgresNode = z.object({
  name: z.string().regex(/^[A-Za-z0-9_.-]{1,63}$/, 'node names are letters, digits, dot, dash and underscore'),
  host: Host,
  port: Port.default(5432),
  /** SSH host that runs this node's server, needed for switchover, failover and add-replica. */
  sshHostId: EndpointId.optional(),
  dataDir: z.string().optional(),
  binDir: z.string().optional(),
})

export const PostgresEndpoint = z.object({
  ...endpointBase,
  ...viaSsh,
  kind: z.literal('postgres'),
  nodes: z.array(PostgresNode).min(1, 'at least one node'),
  user: z.string().min(1),
  database: z.string().min(1).default('postgres'),
  ...pgTls,
  replicationUser: z.string().min(1).optional(),
  /** The cluster is managed by Patroni: read it through its REST API and act only through it. */
  patroni: PatroniSettings.optional(),
})

/**
 * PostgreSQL replication topology, lag and health as main reports them, and the parameters of the
 * PostgreSQL actions. Positions are pg_lsn text ("0/3000148"); times are epoch milliseconds.
 */

const Lsn = z.string().regex(/^[0-9A-Fa-f]{1,8}\/[0-9A-Fa-f]{1,8}$/)
const Finding = z.object({ status: HealthStatus, reason: z.string() })
export type PgFinding = z.infer<typeof Finding>

const Bounds = z.object({ warn: z.number().nonnegative(), critical: z.number().nonnegative() })
export const PgLagThresholds = z.object({
  /** Replay lag in bytes behind the primary's current WAL position. */
  bytes: Bounds.default({ warn: 16 * 1024 * 1024, critical: 256 * 1024 * 1024 }),
  /** Replay lag in seconds (pg_stat_replication.replay_lag, or the standby's last replayed commit). */
  seconds: Bounds.default({ warn: 10, critical: 60 }),
})
export type PgLagThresholds = z.infer<typeof PgLagThresholds>

/** One row of pg_stat_replication on an upstream (a primary, or a standby feeding a cascade). */
export const PgReplicationRow = z.object({
  pid: z.number().int(),
  applicationName: z.string(),
  clientAddr: z.string().nullable(),
  state: z.string(),
  syncState: z.string(),
  sentLsn: Lsn.nullable(),
  writeLsn: Lsn.nullable(),
  flushLsn: Lsn.nullable(),
  replayLsn: Lsn.nullable(),
  writeLagMs: z.number().nullable(),
  flushLagMs: z.number().nullable(),
  replayLagMs: z.number().nullable(),
  /** pg_wal_lsn_diff(this server's WAL end, replay_lsn), read in the same query. */
  replayBytes: z.number().nullable(),
  slotName: z.string().nullable(),
})
export type PgReplicationRow = z.infer<typeof PgReplicationRow>

/** pg_stat_wal_receiver on a standby: where it streams from and how far it got. */
export const PgWalReceiver = z.object({
  status: z.string(),
  senderHost: z.string().nullable(),
  senderPort: z.number().int().nullable(),
  slotName: z.string().nullable(),
  flushedLsn: Lsn.nullable(),
  latestEndLsn: Lsn.nullable(),
  receivedTimeline: z.number().int().nullable(),
  lastMessageAt: z.number().nullable(),
})
export type PgWalReceiver = z.infer<typeof PgWalReceiver>

export const PgSlot = z.object({
  name: z.string(),
  slotType: z.string(),
  temporary: z.boolean(),
  active: z.boolean(),
  restartLsn: Lsn.nullable(),
  walStatus: z.string().nullable(),
  /** WAL this slot keeps on disk: pg_wal_lsn_diff(current position, restart_lsn). */
  retainedBytes: z.number().nullable(),
})
export type PgSlot = z.infer<typeof PgSlot>

export const PgRole = z.enum(['primary', 'standby', 'down'])
export type PgRole = z.infer<typeof PgRole>

export const PgNodeSnapshot = z.object({
  name: z.string(),
  host: z.string(),
  port: z.number().int(),
  /** False for a standby seen only in an upstream's pg_stat_replication (not in the node list). */
  listed: z.boolean(),
  role: PgRole,
  error: ConnError.optional(),
  version: z.string().optional(),
  timeline: z.number().int().optional(),
  /** Primary: pg_current_wal_lsn(). Standby: the replay position. */
  currentLsn: Lsn.optional(),
  receiveLsn: Lsn.nullable().optional(),
  replayLsn: Lsn.nullable().optional(),
  lastReplayAt: z.number().nullable().optional(),
  /** Seconds since the last replayed commit, by the standby's own clock (grows while the primary is idle). */
  replayAgeSeconds: z.number().nullable().optional(),
  replayPaused: z.boolean().optional(),
  /** Name of the node this standby streams from (or "host:port" when it is not in the list). */
  upstream: z.string().nullable().optional(),
  walReceiver: PgWalReceiver.nullable().optional(),
  replication: z.array(PgReplicationRow).default([]),
  slots: z.array(PgSlot).default([]),
  /** A former primary whose history diverged from the current primary's: it must be rewound. */
  needsRewind: z.boolean().optional(),
  /** Patroni's own sessions are connected: this node is managed by Patroni. */
  patroniSeen: z.boolean().optional(),
})
export type PgNodeSnapshot = z.infer<typeof PgNodeSnapshot>

export const PgStandbyLag = z.object({
  standby: z.string(),
  upstream: z.string().nullable(),
  state: z.string(),
  syncState: z.string().nullable(),
  bytes: z.number().nullable(),
  seconds: z.number().nullable(),
  status: HealthStatus,
  /** "streaming", "caught up (idle)", "catching up", "not streaming", "down". */
  label: z.string(),
  reason: z.string(),
})
export type PgStandbyLag = z.infer<typeof PgStandbyLag>

export const PgTopology = z.object({
  environment: z.string(),
  endpointId: z.string(),
  name: z.string(),
  checkedAt: z.number(),
  durationMs: z.number(),
  primary: z.string().nullable(),
  nodes: z.array(PgNodeSnapshot),
  standbys: z.array(PgStandbyLag),
  findings: z.array(Finding),
  status: HealthStatus,
  reason: z.string(),
  thresholds: PgLagThresholds,
  /**
   * Who manages failover: Patroni when the endpoint names its REST URLs or Patroni's own sessions
   * show in pg_stat_activity; then every action goes through Patroni or is refused.
   */
  manager: z.enum(['patroni']).nullable().default(null),
  patroni: PatroniView.nullable().default(null),
})
export type PgTopology = z.infer<typeof PgTopology>

export const PgLagSample = z.object({
  at: z.number(),
  standbys: z.record(z.string(), z.object({ bytes: z.number().nullable(), seconds: z.number().nullable(), status: HealthStatus })),
})
export type PgLagSample = z.infer<typeof PgLagSample>

export const PgSession = z.object({
  pid: z.number().int(),
  user: z.string().nullable(),
  database: z.string().nullable(),
  state: z.string().nullable(),
  seconds: z.number(),
  query: z.string(),
  waitEvent: z.string().nullable(),
})
export type PgSession = z.infer<typeof PgSession>

export const PgLockWait = z.object({
  pid: z.number().int(),
  blockedBy: z.array(z.number().int()),
  seconds: z.number(),
  query: z.string(),
})

export const PgStatement = z.object({
  queryId: z.string().nullable(),
  query: z.string(),
  calls: z.number(),
  totalMs: z.number(),
  meanMs: z.number(),
  rows: z.number(),
})
export type PgStatement = z.infer<typeof PgStatement>

export const PgNodeHealth = z.object({
  name: z.string(),
  role: PgRole,
  error: ConnError.optional(),
  connections: z
    .object({ total: z.number(), max: z.number(), reserved: z.number(), active: z.number(), idleInTransaction: z.number(), waitingOnLocks: z.number() })
    .optional(),
  longestQuery: PgSession.nullable().optional(),
  longestTransaction: PgSession.nullable().optional(),
  lockWaits: z.array(PgLockWait).default([]),
  /** blks_hit / (blks_hit + blks_read) over all databases; null before any block was read. */
  cacheHitRatio: z.number().nullable().optional(),
  databases: z.array(z.object({ name: z.string(), sizeBytes: z.number(), xidAge: z.number() })).default([]),
  /** The oldest datfrozenxid age and how far it is towards the 2^31 wraparound limit. */
  xidWraparound: z.object({ database: z.string(), age: z.number(), fraction: z.number() }).nullable().optional(),
  checkpoints: z
    .object({
      timed: z.number(),
      requested: z.number(),
      writeMs: z.number(),
      syncMs: z.number(),
      buffersCheckpoint: z.number(),
      buffersBackend: z.number(),
      statsResetAt: z.number().nullable(),
    })
    .nullable()
    .optional(),
  topStatements: z.object({ available: z.boolean(), hint: z.string().optional(), rows: z.array(PgStatement) }).optional(),
  findings: z.array(Finding).default([]),
  status: HealthStatus,
})
export type PgNodeHealth = z.infer<typeof PgNodeHealth>

export const PgHealth = z.object({
  environment: z.string(),
  endpointId: z.string(),
  checkedAt: z.number(),
  durationMs: z.number(),
  nodes: z.array(PgNodeHealth),
  status: HealthStatus,
  reason: z.string(),
})
export type PgHealth = z.infer<typeof PgHealth>

/** Which PostgreSQL endpoint of an environment; optional when the environment has exactly one. */
const which = { name: EnvironmentName, endpointId: EndpointId.optional() }

export const postgresRequests = {
  /** Roles, upstreams, pg_stat_replication, WAL receivers, slots and lag per standby; never fails for a down node. */
  'pg:topology': {
    input: z.object({ ...which, thresholds: PgLagThresholds.optional() }),
    output: PgTopology,
  },
  /** Sessions, locks, cache, sizes, wraparound, checkpoints and top statements per node (or one node). */
  'pg:health': {
    input: z.object({ ...which, node: z.string().max(63).optional() }),
    output: PgHealth,
  },
  /** Lag samples recorded by earlier 'pg:topology' calls (bounded ring), for the lag chart. */
  'pg:lag-history': {
    input: z.object({ ...which, sinceMs: z.number().optional() }),
    output: z.object({ samples: z.array(PgLagSample), source: HistorySource }),
  },
} as const

// ---- action parameters -------------------------------------------------------------------------

export const PgNodeName = z.string().regex(/^[A-Za-z0-9_.-]{1,63}$/, 'node names are letters, digits, dot, dash and underscore')

/** Absolute, no "..", no shell-special characters: these paths end up in rm -rf and pg_ctl -D. */
export const PgDataDir = z
  .string()
  .regex(/^(\/[A-Za-z0-9._+-]+){2,}\/?$/, 'an absolute path of at least two levels, letters, digits and . _ + - only')
  .refine((p) => !p.split('/').includes('..') && !p.split('/').includes('.'), 'no "." or ".." path segments')

export const PgNodeLocation = z.object({
  name: PgNodeName,
  host: Host,
  port: Port,
  dataDir: PgDataDir,
  sshHostId: EndpointId,
  binDir: PgDataDir.optional(),
})
export type PgNodeLocation = z.infer<typeof PgNodeLocation>

const target = { environment: z.string(), endpointId: z.string() }

export const PgSwitchoverRequest = z.object({
  ...target,
  kind: z.literal('pg.switchover'),
  /** The standby to promote; the current primary becomes its standby. */
  newPrimary: PgNodeName,
})
export const PgFailoverRequest = z.object({
  ...target,
  kind: z.literal('pg.failover'),
  /** Omit to promote the most advanced standby. */
  newPrimary: PgNodeName.optional(),
})
export const PgRejoinRequest = z.object({
  ...target,
  kind: z.literal('pg.rejoin'),
  /** A stopped former primary (or a diverged standby) to rewind and start as a standby of the primary. */
  node: PgNodeName,
})
export const PgAddReplicaRequest = z.object({
  ...target,
  kind: z.literal('pg.add-replica'),
  node: PgNodeLocation,
  /** Node to clone and stream from; the primary when omitted. */
  upstream: PgNodeName.optional(),
})
export const PgRemoveReplicaRequest = z.object({
  ...target,
  kind: z.literal('pg.remove-replica'),
  node: PgNodeName,
  /** Where the replica lives when it is not in the endpoint's node list. */
  location: PgNodeLocation.optional(),
  deleteDataDir: z.boolean().default(false),
})
/** Drop a replication slot nobody consumes: the WAL it kept can go. */
export const PgDropSlotRequest = z.object({
  ...target,
  kind: z.literal('pg.drop-slot'),
  node: PgNodeName,
  slot: z.string().regex(/^[a-z0-9_]{1,63}$/, 'slot names are lower-case letters, digits and underscores'),
})
export type PgDropSlotRequest = z.infer<typeof PgDropSlotRequest>
export type PgSwitchoverRequest = z.infer<typeof PgSwitchoverRequest>
export type PgFailoverRequest = z.infer<typeof PgFailoverRequest>
export type PgRejoinRequest = z.infer<typeof PgRejoinRequest>
export type PgAddReplicaRequest = z.infer<typeof PgAddReplicaRequest>
export type PgRemoveReplicaRequest = z.infer<typeof PgRemoveReplicaRequest>

export const pgActionRequests = [
  PgSwitchoverRequest,
  PgFailoverRequest,
  PgRejoinRequest,
  PgAddReplicaRequest,
  PgRemoveReplicaRequest,
  PgDropSlotRequest,
] as const
