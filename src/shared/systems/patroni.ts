import { z } from 'zod'

/**
 * A Patroni-managed PostgreSQL cluster as its REST API reports it (/cluster, /patroni, /history),
 * next to what PostgreSQL says, and the parameters of the actions that go through Patroni.
 */

export const PatroniSettings = z.object({
  /** Each member's REST API root, e.g. http://10.0.0.5:8008; any one answering is enough to read the cluster. */
  urls: z.array(z.url({ protocol: /^https?$/ })).min(1, 'at least one Patroni REST URL'),
})

export const PatroniMember = z.object({
  name: z.string(),
  /** leader, replica, sync_standby, standby_leader */
  role: z.string(),
  /** running, streaming, starting, stopped, crashed, creating replica, ... */
  state: z.string(),
  host: z.string().nullable(),
  port: z.number().int().nullable(),
  apiUrl: z.string().nullable(),
  timeline: z.number().int().nullable(),
  /** Bytes behind the leader as Patroni computes it; null when Patroni says "unknown". */
  lagBytes: z.number().nullable(),
  pendingRestart: z.boolean(),
  tags: z.record(z.string(), z.unknown()),
  /** The endpoint's node at the same host and port, when there is one. */
  node: z.string().nullable(),
})
export type PatroniMember = z.infer<typeof PatroniMember>

export const PatroniHistoryEntry = z.object({
  timeline: z.number().int(),
  lsn: z.number(),
  reason: z.string(),
  at: z.string().nullable(),
  leader: z.string().nullable(),
})
export type PatroniHistoryEntry = z.infer<typeof PatroniHistoryEntry>

export const PatroniView = z.object({
  /** The REST URL that answered; null when none did. */
  source: z.string().nullable(),
  scope: z.string().nullable(),
  version: z.string().nullable(),
  paused: z.boolean(),
  leader: z.string().nullable(),
  members: z.array(PatroniMember),
  history: z.array(PatroniHistoryEntry),
  scheduledSwitchover: z.object({ at: z.string(), from: z.string().nullable(), to: z.string().nullable() }).nullable(),
  /** Where Patroni and PostgreSQL tell different stories. */
  disagreements: z.array(z.string()),
  error: z.string().optional(),
})
export type PatroniView = z.infer<typeof PatroniView>

const target = { environment: z.string(), endpointId: z.string() }
const Member = z.string().regex(/^[A-Za-z0-9_.-]{1,63}$/, 'member names are letters, digits, dot, dash and underscore')

export const PatroniSwitchoverRequest = z.object({
  ...target,
  kind: z.literal('pg.patroni-switchover'),
  candidate: Member,
  /** ISO 8601 with a time zone; omit to switch over now. */
  scheduledAt: z.iso.datetime({ offset: true }).optional(),
})
export const PatroniFailoverRequest = z.object({ ...target, kind: z.literal('pg.patroni-failover'), candidate: Member })
export const PatroniRestartRequest = z.object({
  ...target,
  kind: z.literal('pg.patroni-restart'),
  member: Member,
  /** Restart only if Patroni says a restart is pending. */
  onlyIfPending: z.boolean().default(false),
})
export const PatroniReinitRequest = z.object({ ...target, kind: z.literal('pg.patroni-reinit'), member: Member })
export const PatroniPauseRequest = z.object({
  ...target,
  kind: z.literal('pg.patroni-pause'),
  /** true: pause automatic failover (maintenance mode); false: resume it. */
  pause: z.boolean(),
})
export type PatroniSwitchoverRequest = z.infer<typeof PatroniSwitchoverRequest>
export type PatroniFailoverRequest = z.infer<typeof PatroniFailoverRequest>
export type PatroniRestartRequest = z.infer<typeof PatroniRestartRequest>
export type PatroniReinitRequest = z.infer<typeof PatroniReinitRequest>
export type PatroniPauseRequest = z.infer<typeof PatroniPauseRequest>

export const patroniActionRequests = [
  PatroniSwitchoverRequest,
  PatroniFailoverRequest,
  PatroniRestartRequest,
  PatroniReinitRequest,
  PatroniPauseRequest,
] as const
