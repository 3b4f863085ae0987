import type pg from 'pg'
import { buildTopology, DEFAULT_LAG_THRESHOLDS } from '../../../shared/domain/pg-topology'
import { gradeNodeHealth, statementsHint, XID_WRAP_LIMIT, type NodeHealthReadings } from '../../../shared/domain/pg-health'
import type {
  PgLagThresholds,
  PgNodeHealth,
  PgNodeSnapshot,
  PgReplicationRow,
  PgSlot,
  PgStatement,
  PgTopology,
  PgWalReceiver,
} from '../../../shared/systems/postgres'
import type { Connections } from '../../core/connections'
import { scrub, toConnError, withTimeout } from '../../core/errors'
import { withNode, type NodeAddress, type PostgresEndpoint } from './postgres-client'
import { readPatroni } from './patroni-reader'
import { reasonFor, worstStatus } from '../../../shared/domain/health'

const POLL_TIMEOUT_MS = 3000

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v))

/** WAL end of this server: the insert position on a primary, the replay position on a standby. */
const WAL_END = 'case when pg_is_in_recovery() then pg_last_wal_replay_lsn() else pg_current_wal_lsn() end'

interface StateRow {
  rec: boolean
  version: string
  walfile: string | null
  ckpt_tli: number | null
  current_lsn: string | null
  receive_lsn: string | null
  replay_lsn: string | null
  last_replay_ms: number | null
  replay_age: number | null
  paused: boolean
  patroni: boolean
}

// Row shapes of the queries below, as PostgreSQL returns them (float8 and int columns arrive as numbers).
type Lsn = string | null
interface ReplicationRowRaw {
  pid: number
  app: string
  addr: string | null
  state: string | null
  sync_state: string | null
  sent: Lsn
  write: Lsn
  flush: Lsn
  replay: Lsn
  write_ms: number | null
  flush_ms: number | null
  replay_ms: number | null
  replay_bytes: number | null
  slot_name: string | null
}
interface WalReceiverRow {
  status: string
  sender_host: string | null
  sender_port: number | null
  slot_name: string | null
  flushed: Lsn
  latest_end: Lsn
  received_tli: number | null
  last_msg: number | null
}
interface SlotRow {
  slot_name: string
  slot_type: string
  temporary: boolean
  active: boolean
  restart: Lsn
  wal_status: string | null
  retained: number | null
}
interface BaseHealthRow {
  rec: boolean
  max: number
  reserved: number
  preload: string
  pgss: boolean
  total: number
  active: number
  iit: number
  waiting: number
}
interface LockWaitRow {
  pid: number
  blocked_by: number[]
  q: string | null
  secs: number | null
}
interface DatabaseRow {
  datname: string
  size: number
  xid_age: number
}
interface StatementRow {
  queryid: string | null
  q: string
  calls: number
  total: number
  mean: number
  rows: number
}
type AnyRow = Record<string, unknown>

/** Everything one node says about replication, in four short queries on one session. */
export async function readNodeState(client: pg.Client, node: NodeAddress & { listed?: boolean }): Promise<PgNodeSnapshot> {
  const s = (
    await client.query<StateRow>(`
      select pg_is_in_recovery() as rec,
             current_setting('server_version') as version,
             case when pg_is_in_recovery() then null else pg_walfile_name(pg_current_wal_lsn()) end as walfile,
             (select timeline_id from pg_control_checkpoint()) as ckpt_tli,
             case when pg_is_in_recovery() then null else pg_current_wal_lsn()::text end as current_lsn,
             pg_last_wal_receive_lsn()::text as receive_lsn,
             pg_last_wal_replay_lsn()::text as replay_lsn,
             (extract(epoch from pg_last_xact_replay_timestamp()) * 1000)::float8 as last_replay_ms,
             extract(epoch from now() - pg_last_xact_replay_timestamp())::float8 as replay_age,
             case when pg_is_in_recovery() then pg_is_wal_replay_paused() else false end as paused,
             exists (select 1 from pg_stat_activity where application_name like 'Patroni%') as patroni`)
  ).rows[0]!

  const replication: PgReplicationRow[] = (
    await client.query<ReplicationRowRaw>(`
      select r.pid, coalesce(r.application_name, '') as app, host(r.client_addr) as addr, r.state, r.sync_state,
             r.sent_lsn::text as sent, r.write_lsn::text as write, r.flush_lsn::text as flush, r.replay_lsn::text as replay,
             (extract(epoch from r.write_lag) * 1000)::float8 as write_ms,
             (extract(epoch from r.flush_lag) * 1000)::float8 as flush_ms,
             (extract(epoch from r.replay_lag) * 1000)::float8 as replay_ms,
             pg_wal_lsn_diff(${WAL_END}, r.replay_lsn)::float8 as replay_bytes,
             s.slot_name
        from pg_stat_replication r
        left join pg_replication_slots s on s.active_pid = r.pid
       order by r.application_name`)
  ).rows.map((r) => ({
    pid: r.pid,
    applicationName: r.app,
    clientAddr: r.addr,
    state: r.state ?? 'unknown',
    syncState: r.sync_state ?? 'unknown',
    sentLsn: r.sent,
    writeLsn: r.write,
    flushLsn: r.flush,
    replayLsn: r.replay,
    writeLagMs: num(r.write_ms),
    flushLagMs: num(r.flush_ms),
    replayLagMs: num(r.replay_ms),
    replayBytes: num(r.replay_bytes),
    slotName: r.slot_name,
  }))

  let walReceiver: PgWalReceiver | null = null
  if (s.rec) {
    const w = (
      await client.query<WalReceiverRow>(`
        select status, sender_host, sender_port, slot_name, flushed_lsn::text as flushed, latest_end_lsn::text as latest_end,
               received_tli, (extract(epoch from last_msg_receipt_time) * 1000)::float8 as last_msg
          from pg_stat_wal_receiver`)
    ).rows[0]
    if (w)
      walReceiver = {
        status: w.status,
        senderHost: w.sender_host,
        senderPort: num(w.sender_port),
        slotName: w.slot_name,
        flushedLsn: w.flushed,
        latestEndLsn: w.latest_end,
        receivedTimeline: num(w.received_tli),
        lastMessageAt: num(w.last_msg),
      }
  }

  const slots: PgSlot[] = (
    await client.query<SlotRow>(`
      select slot_name, slot_type, temporary, active, restart_lsn::text as restart, wal_status,
             pg_wal_lsn_diff(${WAL_END}, restart_lsn)::float8 as retained
        from pg_replication_slots order by slot_name`)
  ).rows.map((r) => ({
    name: r.slot_name,
    slotType: r.slot_type,
    temporary: r.temporary,
    active: r.active,
    restartLsn: r.restart,
    walStatus: r.wal_status,
    retainedBytes: r.retained === null ? null : Math.max(0, r.retained),
  }))

  const timeline = s.walfile ? Number.parseInt(s.walfile.slice(0, 8), 16) : (walReceiver?.receivedTimeline ?? s.ckpt_tli ?? undefined)
  return {
    name: node.name,
    host: node.host,
    port: node.port,
    listed: node.listed ?? true,
    role: s.rec ? 'standby' : 'primary',
    version: s.version,
    timeline: timeline ?? undefined,
    currentLsn: (s.rec ? s.replay_lsn : s.current_lsn) ?? undefined,
    receiveLsn: s.receive_lsn,
    replayLsn: s.rec ? s.replay_lsn : s.current_lsn,
    lastReplayAt: s.last_replay_ms,
    replayAgeSeconds: s.rec ? s.replay_age : null,
    replayPaused: s.paused,
    ...(s.patroni ? { patroniSeen: true } : {}),
    walReceiver,
    replication,
    slots,
  }
}

/** One node's snapshot; a node that cannot be reached becomes role "down" with the reason. */
export async function snapshotNode(
  endpoint: PostgresEndpoint,
  connections: Connections,
  node: NodeAddress,
  timeoutMs = POLL_TIMEOUT_MS,
): Promise<PgNodeSnapshot> {
  try {
    return await withTimeout(
      `reading ${node.name}`,
      timeoutMs + 1000,
      withNode(endpoint, connections, node, (c) => readNodeState(c, node), { timeoutMs, applicationName: 'switchyard-topology' }),
    )
  } catch (err) {
    return {
      name: node.name,
      host: node.host,
      port: node.port,
      listed: true,
      role: 'down',
      error: toConnError(err, connections.secretValues()),
      replication: [],
      slots: [],
    }
  }
}

/** The whole replication topology as the nodes see it right now. Never throws for a down node. */
export async function readTopology(
  environment: string,
  endpoint: PostgresEndpoint,
  connections: Connections,
  thresholds: PgLagThresholds = DEFAULT_LAG_THRESHOLDS,
): Promise<PgTopology> {
  const started = Date.now()
  const readings = await Promise.all(endpoint.nodes.map((n) => snapshotNode(endpoint, connections, n)))
  const built = buildTopology(readings, thresholds)
  const managed = endpoint.patroni !== undefined || readings.some((n) => n.patroniSeen)
  const patroni = managed ? await readPatroni(endpoint, connections, built.nodes) : null
  const findings = [...built.findings, ...(patroni?.findings ?? [])]
  return {
    environment,
    endpointId: endpoint.id,
    name: endpoint.name,
    checkedAt: started,
    durationMs: Date.now() - started,
    thresholds,
    ...built,
    findings,
    ...(patroni?.findings.length ? { status: worstStatus(findings.map((f) => f.status)), reason: reasonFor(findings, built.reason) } : {}),
    manager: managed ? 'patroni' : null,
    patroni: patroni?.view ?? null,
  }
}

// ---- health -----------------------------------------------------------------------------------

/** A reading that may not exist on this server version; a failed autocommit statement leaves the session usable. */
async function optional<T>(fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn()
  } catch {
    return undefined
  }
}

/** Query texts can carry credentials (CREATE ROLE ... PASSWORD '...'): mask them before they leave main. */
export function maskQuery(text: string, secrets: readonly string[] = []): string {
  return scrub(text.replace(/(PASSWORD\s+)(E?'(?:[^']|'')*')/gi, "$1'***'"), secrets)
}

export async function readNodeHealth(client: pg.Client, name: string, database: string, secrets: readonly string[] = []): Promise<NodeHealthReadings> {
  const base = (
    await client.query<BaseHealthRow>(`
      select pg_is_in_recovery() as rec,
             current_setting('max_connections')::int as max,
             current_setting('superuser_reserved_connections')::int as reserved,
             current_setting('shared_preload_libraries') as preload,
             exists (select 1 from pg_extension where extname = 'pg_stat_statements') as pgss,
             (select count(*) from pg_stat_activity where backend_type = 'client backend')::int as total,
             (select count(*) from pg_stat_activity where backend_type = 'client backend' and state = 'active' and pid <> pg_backend_pid())::int as active,
             (select count(*) from pg_stat_activity where state like 'idle in transaction%')::int as iit,
             (select count(*) from pg_stat_activity where wait_event_type = 'Lock')::int as waiting`)
  ).rows[0]

  const session = (r: Record<string, unknown> | undefined) =>
    r
      ? {
          pid: Number(r.pid),
          user: (r.usename as string | null) ?? null,
          database: (r.datname as string | null) ?? null,
          state: (r.state as string | null) ?? null,
          seconds: Number(r.secs ?? 0),
          query: maskQuery(typeof r.q === 'string' ? r.q : '', secrets),
          waitEvent: (r.we as string | null) ?? null,
        }
      : null
  const cols = `pid, usename, datname, state, left(query, 500) as q, wait_event_type || ':' || wait_event as we`
  const longestQuery = session(
    (
      await client.query<AnyRow>(`select ${cols}, extract(epoch from now() - query_start)::float8 as secs from pg_stat_activity
         where state = 'active' and backend_type = 'client backend' and pid <> pg_backend_pid() and query_start is not null
         order by query_start limit 1`)
    ).rows[0],
  )
  const longestTransaction = session(
    (
      await client.query<AnyRow>(`select ${cols}, extract(epoch from now() - xact_start)::float8 as secs from pg_stat_activity
         where xact_start is not null and backend_type = 'client backend' and pid <> pg_backend_pid()
         order by xact_start limit 1`)
    ).rows[0],
  )
  const lockWaits = (
    await client.query<LockWaitRow>(`select a.pid, pg_blocking_pids(a.pid) as blocked_by, left(a.query, 300) as q,
         extract(epoch from now() - coalesce((select min(l.waitstart) from pg_locks l where l.pid = a.pid and not l.granted), a.state_change))::float8 as secs
       from pg_stat_activity a where a.wait_event_type = 'Lock' order by secs desc limit 20`)
  ).rows.map((r) => ({ pid: r.pid, blockedBy: r.blocked_by.map(Number), seconds: r.secs ?? 0, query: maskQuery(r.q ?? '', secrets) }))

  const cache = (
    await client.query<{ hit: number; rd: number }>(
      `select coalesce(sum(blks_hit), 0)::float8 as hit, coalesce(sum(blks_read), 0)::float8 as rd from pg_stat_database`,
    )
  ).rows[0]
  const hit = cache?.hit ?? 0
  const read = cache?.rd ?? 0

  const databases = (
    await client.query<DatabaseRow>(`select datname, case when has_database_privilege(oid, 'CONNECT') then pg_database_size(oid) else 0 end::float8 as size,
         age(datfrozenxid)::float8 as xid_age from pg_database order by 2 desc`)
  ).rows.map((r) => ({ name: r.datname, sizeBytes: r.size, xidAge: r.xid_age }))
  const oldest = [...databases].sort((a, b) => b.xidAge - a.xidAge)[0]

  const checkpoints =
    (await optional(async () => {
      const r = (
        await client.query<AnyRow>(`select checkpoints_timed, checkpoints_req, checkpoint_write_time, checkpoint_sync_time, buffers_checkpoint, buffers_backend,
            (extract(epoch from stats_reset) * 1000)::float8 as reset from pg_stat_bgwriter`)
      ).rows[0]
      return r
        ? {
            timed: Number(r.checkpoints_timed),
            requested: Number(r.checkpoints_req),
            writeMs: Number(r.checkpoint_write_time),
            syncMs: Number(r.checkpoint_sync_time),
            buffersCheckpoint: Number(r.buffers_checkpoint),
            buffersBackend: Number(r.buffers_backend),
            statsResetAt: num(r.reset),
          }
        : null
    })) ??
    // PostgreSQL 17 moved these to pg_stat_checkpointer.
    (await optional(async () => {
      const r = (
        await client.query<AnyRow>(
          `select num_timed, num_requested, write_time, sync_time, buffers_written, (extract(epoch from stats_reset) * 1000)::float8 as reset from pg_stat_checkpointer`,
        )
      ).rows[0]
      return r
        ? {
            timed: Number(r.num_timed),
            requested: Number(r.num_requested),
            writeMs: Number(r.write_time),
            syncMs: Number(r.sync_time),
            buffersCheckpoint: Number(r.buffers_written),
            buffersBackend: 0,
            statsResetAt: num(r.reset),
          }
        : null
    })) ??
    null

  const preloaded = /(^|[\s,])"?pg_stat_statements"?([\s,]|$)/.test(base?.preload ?? '')
  const installed = Boolean(base?.pgss)
  let topStatements: { available: boolean; hint?: string; rows: PgStatement[] } = {
    available: false,
    hint: statementsHint(preloaded, installed, database),
    rows: [],
  }
  if (preloaded && installed) {
    const toRows = (rows: StatementRow[]): PgStatement[] =>
      rows.map((r) => ({ queryId: r.queryid, query: maskQuery(r.q, secrets), calls: r.calls, totalMs: r.total, meanMs: r.mean, rows: r.rows }))
    const rows =
      (await optional(async () =>
        toRows(
          (
            await client.query<StatementRow>(
              `select queryid::text as queryid, left(query, 500) as q, calls::float8 as calls, total_exec_time as total, mean_exec_time as mean, rows::float8 as rows from pg_stat_statements order by total_exec_time desc limit 10`,
            )
          ).rows,
        ),
      )) ??
      (await optional(async () =>
        toRows(
          (
            await client.query<StatementRow>(
              `select queryid::text as queryid, left(query, 500) as q, calls::float8 as calls, total_time as total, mean_time as mean, rows::float8 as rows from pg_stat_statements order by total_time desc limit 10`,
            )
          ).rows,
        ),
      ))
    topStatements = rows
      ? { available: true, rows }
      : { available: false, hint: 'pg_stat_statements is installed but cannot be read by this user: grant it pg_read_all_stats', rows: [] }
  }

  return {
    name,
    role: base?.rec ? 'standby' : 'primary',
    connections: {
      total: base?.total ?? 0,
      max: base?.max ?? 0,
      reserved: base?.reserved ?? 0,
      active: base?.active ?? 0,
      idleInTransaction: base?.iit ?? 0,
      waitingOnLocks: base?.waiting ?? 0,
    },
    longestQuery,
    longestTransaction,
    lockWaits,
    cacheHitRatio: hit + read > 0 ? hit / (hit + read) : null,
    cacheBlocks: hit + read,
    databases,
    xidWraparound: oldest ? { database: oldest.name, age: oldest.xidAge, fraction: oldest.xidAge / XID_WRAP_LIMIT } : null,
    checkpoints,
    topStatements,
  }
}

export async function healthOfNode(endpoint: PostgresEndpoint, connections: Connections, node: NodeAddress): Promise<PgNodeHealth> {
  let readings: NodeHealthReadings
  try {
    readings = await withTimeout(
      `health of ${node.name}`,
      8000,
      withNode(endpoint, connections, node, (c) => readNodeHealth(c, node.name, endpoint.database, connections.secretValues()), {
        timeoutMs: 5000,
        applicationName: 'switchyard-health',
      }),
    )
  } catch (err) {
    readings = { name: node.name, role: 'down', error: toConnError(err, connections.secretValues()), lockWaits: [], databases: [] }
  }
  const { findings, status } = gradeNodeHealth(readings)
  const rest: Omit<NodeHealthReadings, 'cacheBlocks'> & { cacheBlocks?: number } = { ...readings }
  delete rest.cacheBlocks
  return { ...rest, findings, status }
}
