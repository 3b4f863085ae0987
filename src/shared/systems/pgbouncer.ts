import { z } from 'zod'
import { ConnError, HealthStatus } from '../health'
import { EndpointId, EnvironmentName, Host, Port, endpointBase, pgTls, viaSsh } from '../primitives'

/** A pgbouncer reached through its admin console (the virtual database "pgbouncer"). */
export const PgbouncerEndpoint = z.object({
  ...endpointBase,
  ...viaSsh,
  kind: z.literal('pgbouncer'),
  ...pgTls,
  host: Host,
  port: Port.default(6432),
  /** A user in admin_users (SHOW and PAUSE/RESUME/RELOAD); its password is the secret "<id>.password". */
  user: z.string().min(1),
  /** Its ini on sshHostId, rewritten to repoint a database during a switchover. */
  configPath: z
    .string()
    .regex(/^(\/[A-Za-z0-9._+-]+)+$/, 'an absolute path of letters, digits and . _ + - only')
    .optional(),
  sshHostId: EndpointId.optional(),
})

export const PgbouncerDatabase = z.object({
  name: z.string(),
  host: z.string().nullable(),
  port: z.number().int().nullable(),
  database: z.string().nullable(),
  poolSize: z.number().int(),
  poolMode: z.string().nullable(),
  currentConnections: z.number().int(),
  paused: z.boolean(),
  disabled: z.boolean(),
})
export type PgbouncerDatabase = z.infer<typeof PgbouncerDatabase>

export const PgbouncerPool = z.object({
  database: z.string(),
  user: z.string(),
  clientsActive: z.number().int(),
  clientsWaiting: z.number().int(),
  serversActive: z.number().int(),
  serversIdle: z.number().int(),
  serversUsed: z.number().int(),
  /** Seconds the oldest waiting client has waited. */
  maxWaitSeconds: z.number(),
  poolMode: z.string().nullable(),
})
export type PgbouncerPool = z.infer<typeof PgbouncerPool>

/** SHOW STATS averages per database (per second, and per transaction / query in microseconds). */
export const PgbouncerStats = z.object({
  database: z.string(),
  xactsPerSecond: z.number(),
  queriesPerSecond: z.number(),
  avgXactUs: z.number(),
  avgQueryUs: z.number(),
  avgWaitUs: z.number(),
})
export type PgbouncerStats = z.infer<typeof PgbouncerStats>

export const PgbouncerServer = z.object({
  database: z.string(),
  user: z.string(),
  state: z.string(),
  addr: z.string().nullable(),
  port: z.number().int().nullable(),
})

export const PgbouncerStatus = z.object({
  environment: z.string(),
  endpointId: z.string(),
  name: z.string(),
  checkedAt: z.number(),
  durationMs: z.number(),
  version: z.string().nullable(),
  error: ConnError.optional(),
  databases: z.array(PgbouncerDatabase),
  pools: z.array(PgbouncerPool),
  stats: z.array(PgbouncerStats),
  servers: z.array(PgbouncerServer),
  findings: z.array(z.object({ status: HealthStatus, reason: z.string() })),
  status: HealthStatus,
  reason: z.string(),
})
export type PgbouncerStatus = z.infer<typeof PgbouncerStatus>

export const pgbouncerRequests = {
  /** Databases (and where each points), pools, clients waiting, server connections and SHOW STATS averages. */
  'pgbouncer:status': {
    input: z.object({ name: EnvironmentName, endpointId: EndpointId.optional() }),
    output: PgbouncerStatus,
  },
} as const
