import type { PgbouncerStatus } from '../../../shared/systems/pgbouncer'
import type { PgTopology } from '../../../shared/systems/postgres'
import { metric, type MetricSample } from '../../core/metrics/samples'

const pg = {
  up: metric('pg_up', 'Whether the server answered'),
  static: metric('pg_static', 'Server version'),
  isReplica: metric('pg_replication_is_replica', 'Whether the server is in recovery'),
  replayAge: metric('pg_replication_lag_seconds', 'A standby: seconds since the last replayed commit (grows while the primary is idle)'),
  walDiff: metric('pg_stat_replication_pg_wal_lsn_diff', 'A primary: bytes each standby has yet to replay'),
  slotDiff: metric('pg_replication_slots_pg_wal_lsn_diff', 'WAL bytes a replication slot keeps'),
  slotActive: metric('pg_replication_slots_active', 'Whether a replication slot is in use'),
  primary: metric('switchyard_pg_primary', 'Whether the node is the primary of its cluster'),
  timeline: metric('switchyard_pg_timeline', 'The timeline the node is on'),
  rewind: metric('switchyard_pg_needs_rewind', 'A former primary whose history diverged and must be rewound'),
}

const bouncer = {
  up: metric('pgbouncer_up', 'Whether pgbouncer answered'),
  paused: metric('pgbouncer_databases_paused', 'Whether the database is PAUSEd'),
  current: metric('pgbouncer_databases_current_connections', 'Server connections of the database'),
  clientsActive: metric('pgbouncer_pools_client_active_connections', 'Clients linked to a server connection'),
  clientsWaiting: metric('pgbouncer_pools_client_waiting_connections', 'Clients waiting for a server connection'),
  serversActive: metric('pgbouncer_pools_server_active_connections', 'Server connections in use'),
  serversIdle: metric('pgbouncer_pools_server_idle_connections', 'Idle server connections'),
  maxWait: metric('pgbouncer_pools_client_maxwait_seconds', 'How long the oldest waiting client has waited'),
}

/** A PostgreSQL cluster snapshot with postgres_exporter's names, one set per node. */
export function pgSamples(t: PgTopology): MetricSample[] {
  return t.nodes.flatMap((n) => {
    const at = { instance: `${n.host}:${n.port}`, server: n.name }
    if (n.error || n.role === 'down') return pg.up(at, 0)
    return [
      ...pg.up(at, 1),
      ...(n.version ? pg.static({ ...at, version: n.version }, 1) : []),
      ...pg.isReplica(at, n.role === 'standby'),
      ...pg.replayAge(at, n.role === 'standby' ? (n.replayAgeSeconds ?? null) : 0),
      ...pg.primary(at, n.role === 'primary'),
      ...pg.timeline(at, n.timeline),
      ...pg.rewind(at, n.needsRewind),
      ...n.replication.flatMap((r) =>
        pg.walDiff({ ...at, application_name: r.applicationName, client_addr: r.clientAddr ?? '', state: r.state, sync_state: r.syncState }, r.replayBytes),
      ),
      ...n.slots.flatMap((s) => [
        ...pg.slotDiff({ ...at, slot_name: s.name, slot_type: s.slotType }, s.retainedBytes),
        ...pg.slotActive({ ...at, slot_name: s.name, slot_type: s.slotType }, s.active),
      ]),
    ]
  })
}

/** pgbouncer's SHOW DATABASES / SHOW POOLS with pgbouncer_exporter's names. */
export function bouncerSamples(b: PgbouncerStatus): MetricSample[] {
  if (b.error) return bouncer.up({}, 0)
  return [
    ...bouncer.up({}, 1),
    ...b.databases.flatMap((d) => [...bouncer.paused({ name: d.name }, d.paused), ...bouncer.current({ name: d.name }, d.currentConnections)]),
    ...b.pools.flatMap((p) => {
      const at = { database: p.database, user: p.user }
      return [
        ...bouncer.clientsActive(at, p.clientsActive),
        ...bouncer.clientsWaiting(at, p.clientsWaiting),
        ...bouncer.serversActive(at, p.serversActive),
        ...bouncer.serversIdle(at, p.serversIdle),
        ...bouncer.maxWait(at, p.maxWaitSeconds),
      ]
    }),
  ]
}
