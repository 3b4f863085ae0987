import { z } from 'zod'
import { OfferedFix } from './actions'
import { EnvironmentName } from './primitives'
import { SystemKind } from './health'

/** What runs out: each with the limit it runs out against. */
export const CapacityKind = z.enum([
  /** A Redis node's used_memory against maxmemory (the host's memory when unlimited). */
  'redis-memory',
  /** WAL a replication slot keeps against max_slot_wal_keep_size, or what the data directory's filesystem can still take. */
  'pg-wal-retained',
  /** A database's size against what the data directory's filesystem can still take. */
  'pg-database-size',
  'pg-connections',
  /** The oldest unfrozen transaction ID's age against the stop limit before wraparound. */
  'pg-xid-age',
  /** A shard's databases on disk against what the fullest member's filesystem can still take. */
  'mongo-shard-data',
  /** The time a replica set's primary oplog covers, shrinking toward the floor a member must catch up within. */
  'mongo-oplog-window',
  /** An upstream's requests per replica against the rate at which its p95 latency or CPU crossed the threshold before. */
  'app-requests-per-replica',
])
export type CapacityKind = z.infer<typeof CapacityKind>

export const CapacityUnit = z.enum(['bytes', 'count', 'xids', 'seconds', 'rps'])
export type CapacityUnit = z.infer<typeof CapacityUnit>

/** One reading of a resource: the value, its limit now, and what the limit is. */
export const CapacityGauge = z.object({
  kind: CapacityKind,
  /** The node, slot or database: "127.0.0.1:7001", "pg1/pg_old". */
  subject: z.string(),
  value: z.number(),
  limit: z.number(),
  limitLabel: z.string(),
  unit: CapacityUnit,
  /** 'down': it runs out by shrinking to the limit (an oplog window), not by growing to it. */
  direction: z.enum(['up', 'down']).optional(),
  /** The one-click fix where the system has one (drop a slot nobody consumes). */
  fix: OfferedFix.optional(),
})
export type CapacityGauge = z.infer<typeof CapacityGauge>

const Interval = z.tuple([z.number(), z.number()])

export const CapacityForecast = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('insufficient'), reason: z.string() }),
  z.object({ kind: z.literal('exhausted'), current: z.number(), limit: z.number() }),
  z.object({ kind: z.literal('no-trend'), current: z.number(), limit: z.number(), perDay: z.number(), reason: z.string(), restartedAt: z.number().optional() }),
  z.object({
    kind: z.literal('runs-out'),
    current: z.number(),
    limit: z.number(),
    perDay: z.number(),
    perDayInterval: Interval,
    /** null for "never" (JSON has no Infinity): the slow end of the interval does not reach the limit. */
    secondsLeft: z.number(),
    secondsLeftInterval: z.tuple([z.number(), z.number().nullable()]),
    fitFrom: z.number(),
    restartedAt: z.number().optional(),
    seasonal: z.boolean(),
  }),
])
export type CapacityForecast = z.infer<typeof CapacityForecast>

export const CapacityResource = z.object({
  /** endpointId|kind|subject */
  key: z.string(),
  endpointId: z.string(),
  endpointName: z.string(),
  system: SystemKind,
  gauge: CapacityGauge,
  history: z.array(z.object({ at: z.number(), value: z.number() })),
  /** Over the last 7 days and the last 30: the sooner of the two is the one that counts. */
  forecast7d: CapacityForecast,
  forecast30d: CapacityForecast,
  /** Seconds until it runs out by the sooner forecast; 0 when it has; null when neither forecasts it. */
  secondsLeft: z.number().nullable(),
  status: z.enum(['ok', 'warn', 'critical', 'unknown']),
  /** "pg1: WAL kept for slot pg_old fills /var/lib/postgresql in 19 h (14–26 h)" */
  summary: z.string(),
  /** What to do about it where there is no one-click fix. */
  remedy: z.string(),
})
export type CapacityResource = z.infer<typeof CapacityResource>

export const CapacityReport = z.object({
  environment: z.string(),
  checkedAt: z.number(),
  /** Worst first: the soonest to run out. */
  resources: z.array(CapacityResource),
  /** Endpoints that could not be read this time (their resources are missing, not "ok"). */
  unread: z.array(z.object({ endpointName: z.string(), message: z.string() })),
})
export type CapacityReport = z.infer<typeof CapacityReport>

/** Runs out within this: a warning; within the critical one: critical (the alert rule's defaults). */
export const CAPACITY_WARN_DAYS = 7
export const CAPACITY_CRITICAL_DAYS = 2

export const capacityRequests = {
  'capacity:env': { input: z.object({ name: EnvironmentName }), output: CapacityReport },
} as const
