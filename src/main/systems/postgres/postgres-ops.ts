import type pg from 'pg'
import { compareLsn, isLsn } from '../../../shared/domain/pg-lsn'
import { nodeAt, slotNameFor } from '../../../shared/domain/pg-topology'
import type { PgNodeLocation } from '../../../shared/systems/postgres'
import type { Connections } from '../../core/connections'
import { SwitchyardError } from '../../core/errors'
import { shellCommand, shq } from '../../core/ssh/quote'
import type { ExecResult } from '../../core/ssh/ssh-session'
import { conninfo, openNode, sqlLiteral, withNode, type NodeAddress, type PostgresEndpoint, type PostgresNode } from './postgres-client'

/**
 * The building blocks of the PostgreSQL procedures. Each Op carries the exact commands a plan
 * shows (secrets masked) and runs exactly those; the procedures are lists of Ops, so the plan and
 * the run cannot drift apart.
 */

/** A node the procedures can manage on its host: SSH access and a data directory. */
export interface ManagedNode extends NodeAddress {
  dataDir?: string
  binDir?: string
  sshHostId?: string
}

export function managed(n: PostgresNode | PgNodeLocation): ManagedNode {
  return { name: n.name, host: n.host, port: n.port, dataDir: n.dataDir, binDir: n.binDir, sshHostId: n.sshHostId }
}

export interface OpContext {
  endpoint: PostgresEndpoint
  connections: Connections
  signal: AbortSignal
  progress(message: string): void
  /** Values steps hand on to later steps (the old primary's final LSN, ...): journaled, so a resumed run has them too. */
  facts: Record<string, string>
}

export interface Op {
  title: string
  commands: string[]
  run(ctx: OpContext): Promise<string | void>
  /** Where the cluster stands if this op fails, and what to do next. */
  ifFailed?: string
  /** Whether its effect is already in place: a resumed run never does it twice. */
  done?(ctx: OpContext): Promise<boolean>
  /** How a roll back undoes it. */
  undo?: { title: string; commands: string[] }
  revert?(ctx: OpContext): Promise<string | void>
  /** From this op on the procedure can only go forward (a promotion forks the timeline). */
  irreversible?: boolean
  /** Writes wait (paused pooler) or fail (fenced primary) while this op runs. */
  pausesWrites?: boolean
}

// ---- waiting ------------------------------------------------------------------------------------

import { sleep } from '../../core/wait'

/** Poll until check returns a value (not undefined), at most timeoutMs; the error says what was awaited and the last observation. */
export async function waitUntil<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>, signal?: AbortSignal, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last: string
  for (;;) {
    try {
      const v = await check()
      if (v !== undefined) return v
      last = 'not yet'
    } catch (err) {
      last = (err as Error).message
    }
    if (Date.now() >= deadline) throw new SwitchyardError('timeout', `${what}: not done after ${Math.round(timeoutMs / 1000)} s (last: ${last})`)
    await sleep(intervalMs, signal)
  }
}

// ---- SQL ----------------------------------------------------------------------------------------

/** A statement as shown in a plan (secrets masked) and as actually sent. */
export interface Sql {
  shown: string
  text: string
}
const sql = (text: string): Sql => ({ shown: text, text })

export async function query<T extends Record<string, unknown> = Record<string, unknown>>(
  ctx: Pick<OpContext, 'endpoint' | 'connections'>,
  node: NodeAddress,
  text: string,
  timeoutMs = 10_000,
): Promise<T[]> {
  return withNode(ctx.endpoint, ctx.connections, node, async (c) => (await c.query<T>(text)).rows, { timeoutMs, applicationName: 'switchyard-action' })
}

async function runSql(ctx: OpContext, node: NodeAddress, statements: Sql[], timeoutMs = 15_000): Promise<pg.QueryResult[]> {
  const client = await openNode(ctx.endpoint, ctx.connections, node, { timeoutMs, applicationName: 'switchyard-action' })
  try {
    const out: pg.QueryResult[] = []
    for (const s of statements) out.push(await client.query(s.text))
    return out
  } finally {
    await client.end().catch(() => undefined)
  }
}

export function sqlOp(
  title: string,
  node: NodeAddress,
  statements: Sql[],
  after?: (results: pg.QueryResult[], ctx: OpContext) => Promise<string | void>,
  timeoutMs = 15_000,
): Op {
  return {
    title,
    commands: statements.map((s) => `[${node.name}] ${s.shown}`),
    async run(ctx) {
      const results = await runSql(ctx, node, statements, timeoutMs)
      return after?.(results, ctx)
    },
  }
}

// ---- shell over SSH -----------------------------------------------------------------------------

export function bin(node: ManagedNode, program: string): string {
  return node.binDir ? `${node.binDir.replace(/\/$/, '')}/${program}` : program
}

function need(node: ManagedNode): { dataDir: string; sshHostId: string } {
  if (!node.sshHostId) throw new SwitchyardError('config', `node ${node.name} has no SSH host configured; Switchyard needs one to run pg_ctl there`)
  if (!node.dataDir) throw new SwitchyardError('config', `node ${node.name} has no data directory configured`)
  return { dataDir: node.dataDir, sshHostId: node.sshHostId }
}

export async function ssh(ctx: Pick<OpContext, 'connections'>, node: ManagedNode, command: string, timeoutMs = 120_000): Promise<ExecResult> {
  const { sshHostId } = need(node)
  const session = await ctx.connections.ssh(sshHostId)
  return session.exec(command, { timeoutMs })
}

/** Run a command; a non-zero exit is an error carrying the end of its output. Returns stdout (and stderr when asked: pg_rewind reports there). */
export async function sshRun(
  ctx: Pick<OpContext, 'connections'>,
  node: ManagedNode,
  command: string,
  timeoutMs = 120_000,
  withStderr = false,
): Promise<string> {
  const r = await ssh(ctx, node, command, timeoutMs)
  if (r.code !== 0) {
    const tail = (r.stderr || r.stdout).trim().split('\n').slice(-6).join('\n')
    throw new SwitchyardError('other', `on ${node.name}: \`${command}\` exited ${r.code ?? r.signal}${tail ? `:\n${tail}` : ''}`)
  }
  return withStderr ? `${r.stdout}\n${r.stderr}` : r.stdout
}

export function shellOp(
  title: string,
  node: ManagedNode,
  command: string,
  timeoutMs?: number,
  after?: (stdout: string, ctx: OpContext) => Promise<string | void>,
): Op {
  return {
    title,
    commands: [`[${node.name} via ssh] ${command}`],
    async run(ctx) {
      const out = await sshRun(ctx, node, command, timeoutMs, true)
      return after?.(out, ctx)
    },
  }
}

/** Where pg_ctl start writes the server's early log: next to the data directory, "<dir>.log". */
export function serverLog(node: ManagedNode): string {
  const d = need(node).dataDir.replace(/\/$/, '')
  return `${d}.log`
}

export const cmd = {
  stop: (n: ManagedNode, mode: 'fast' | 'immediate') => shellCommand(bin(n, 'pg_ctl'), '-D', need(n).dataDir, 'stop', '-m', mode, '-w', '-t', 60),
  start: (n: ManagedNode) => `${shellCommand(bin(n, 'pg_ctl'), '-D', need(n).dataDir, '-l', serverLog(n), '-w', '-t', 60, 'start')} </dev/null >/dev/null`,
  status: (n: ManagedNode) => shellCommand(bin(n, 'pg_ctl'), '-D', need(n).dataDir, 'status'),
  controldata: (n: ManagedNode) => `LC_ALL=C ${shellCommand(bin(n, 'pg_controldata'), '-D', need(n).dataDir)}`,
  confBackupDir: (n: ManagedNode) => `${need(n).dataDir.replace(/\/$/, '')}.switchyard-conf`,
}

/** "Latest checkpoint location" and cluster state from pg_controldata output. */
export function parseControlData(text: string): { state: string; checkpointLsn: string; timeline: number | null } {
  const field = (name: string) => new RegExp(`^${name}:\\s*(.+)$`, 'm').exec(text)?.[1]?.trim()
  const state = field('Database cluster state') ?? 'unknown'
  const checkpointLsn = field('Latest checkpoint location') ?? ''
  const tli = field("Latest checkpoint's TimeLineID")
  if (!isLsn(checkpointLsn)) throw new SwitchyardError('protocol', `pg_controldata printed no "Latest checkpoint location"`)
  return { state, checkpointLsn, timeline: tli ? Number(tli) : null }
}

/** pg_ctl status: 0 running, 3 not running, 4 not a data directory. */
export async function serverRunning(ctx: Pick<OpContext, 'connections'>, node: ManagedNode): Promise<boolean> {
  const r = await ssh(ctx, node, cmd.status(node), 20_000)
  if (r.code === 0) return true
  if (r.code === 3) return false
  throw new SwitchyardError('config', `pg_ctl status on ${node.name} exited ${r.code}: ${(r.stderr || r.stdout).trim().slice(0, 300)}`)
}

// ---- replication settings -----------------------------------------------------------------------

export interface ReplicationCredentials {
  user: string
  password?: string
}

export function replicationCredentials(endpoint: PostgresEndpoint, connections: Connections): ReplicationCredentials {
  return { user: endpoint.replicationUser ?? endpoint.user, password: connections.secret(endpoint.id, 'replication-password') }
}

/**
 * Shell that points a stopped standby at upstream in postgresql.auto.conf, without a password (the
 * server's OS user authenticates through its ~/.pgpass, as pg_rewind and pg_basebackup do); the
 * password from the secret store is set with ALTER SYSTEM once the server runs. A standby after
 * pg_rewind cannot accept connections before it streamed to its consistency point, so this must
 * be in place before it starts.
 */
export function followConfCommand(node: ManagedNode, upstream: NodeAddress, creds: ReplicationCredentials): string {
  const auto = `${need(node).dataDir.replace(/\/$/, '')}/postgresql.auto.conf`
  const info = conninfo({ host: upstream.host, port: upstream.port, user: creds.user, application_name: node.name })
  const confString = (v: string) => `'${v.replace(/'/g, "''")}'`
  return [
    `touch ${shq(auto)}`,
    `sed -i -e '/^[[:space:]]*primary_conninfo[[:space:]]*=/d' -e '/^[[:space:]]*primary_slot_name[[:space:]]*=/d' ${shq(auto)}`,
    `printf '%s\\n' ${shq(`primary_conninfo = ${confString(info)}`)} ${shq(`primary_slot_name = ${confString(slotNameFor(node.name))}`)} >> ${shq(auto)}`,
  ].join(' && ')
}

/**
 * ALTER SYSTEM statements that make a standby stream from upstream through its own slot. The
 * password is never in them (server logs and pg_stat_statements keep SQL text): the walreceiver
 * finds it in the server user's ~/.pgpass, which passfileOp writes.
 */
export function followStatements(standby: NodeAddress, upstream: NodeAddress, creds: ReplicationCredentials): Sql[] {
  const info = conninfo({ host: upstream.host, port: upstream.port, user: creds.user, application_name: standby.name })
  return [
    sql(`ALTER SYSTEM SET primary_conninfo = ${sqlLiteral(info)}`),
    sql(`ALTER SYSTEM SET primary_slot_name = ${sqlLiteral(slotNameFor(standby.name))}`),
    sql('SELECT pg_reload_conf()'),
  ]
}

/** A .pgpass field: backslash and colon escaped. */
const pgpassField = (v: string) => v.replace(/\\/g, '\\\\').replace(/:/g, '\\:')

/** ~/.pgpass with the replication line of `user` (any host and port) set to password; every other line kept. */
export function withReplicationLine(text: string, user: string, password: string): string {
  const prefix = `*:*:replication:${pgpassField(user)}:`
  const kept = text.split('\n').filter((l) => l !== '' && !l.startsWith(prefix))
  return [...kept, prefix + pgpassField(password)].join('\n') + '\n'
}

/**
 * The replication password into the node's ~/.pgpass (mode 0600) over SFTP, where its walreceiver,
 * pg_basebackup and pg_rewind find it. Nothing when no password is stored (the file is then the
 * operator's) or the node has no SSH host.
 */
export function passfileOps(node: ManagedNode, creds: ReplicationCredentials): Op[] {
  const { password } = creds
  if (!password || !node.sshHostId) return []
  return [
    {
      title: `Put the replication password for ${creds.user} in ${node.name}'s ~/.pgpass`,
      commands: [`[${node.name} via sftp] ~/.pgpass ← *:*:replication:${creds.user}:*** (mode 0600, other lines kept)`],
      async run(ctx) {
        const session = await ctx.connections.ssh(need(node).sshHostId)
        const current = await session.exec('cat .pgpass 2>/dev/null', { timeoutMs: 10_000 })
        const tmp = `.pgpass.switchyard-${process.pid}-${Date.now()}`
        await session.writeFile(tmp, withReplicationLine(current.code === 0 ? current.stdout : '', creds.user, password), 0o600)
        await session.run(`chmod 600 ${shq(tmp)} && mv -f -- ${shq(tmp)} .pgpass`, { timeoutMs: 10_000 })
      },
      ifFailed: `${node.name}'s ~/.pgpass may lack the replication password: add "*:*:replication:${creds.user}:<password>" to it (mode 0600).`,
    },
  ]
}

export function createSlotStatement(slot: string): Sql {
  return sql(
    `SELECT pg_create_physical_replication_slot(${sqlLiteral(slot)}, true) WHERE NOT EXISTS (SELECT 1 FROM pg_replication_slots WHERE slot_name = ${sqlLiteral(slot)})`,
  )
}

export const becomePrimaryStatements: Sql[] = [
  sql('ALTER SYSTEM RESET primary_conninfo'),
  sql('ALTER SYSTEM RESET primary_slot_name'),
  sql('SELECT pg_reload_conf()'),
]

export const promoteStatement = sql('SELECT pg_promote(wait => true, wait_seconds => 60) AS promoted')

export function checkpointStatement(): Sql {
  return sql('CHECKPOINT')
}

export function dropInactiveSlotsStatement(slots: string[]): Sql {
  const list = slots.map(sqlLiteral).join(', ')
  return sql(`SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE NOT active AND slot_name IN (${list})`)
}

export function emitMarkerStatement(text: string): Sql {
  return sql(`SELECT pg_logical_emit_message(true, 'switchyard', ${sqlLiteral(text)})::text AS lsn`)
}

/** Wait until standby's WAL receiver streams from upstream (matched by port and host). */
export async function waitStreamingFrom(
  ctx: Pick<OpContext, 'endpoint' | 'connections' | 'signal'>,
  standby: NodeAddress,
  upstream: NodeAddress,
  timeoutMs = 30_000,
): Promise<void> {
  await waitUntil(
    `${standby.name} streaming from ${upstream.name}`,
    timeoutMs,
    async () => {
      const rows = await query<{ status: string; sender_port: number | null; sender_host: string | null }>(
        ctx,
        standby,
        'SELECT status, sender_host, sender_port FROM pg_stat_wal_receiver',
        3000,
      )
      const r = rows[0]
      return r && r.status === 'streaming' && nodeAt([upstream], r.sender_host, r.sender_port) ? true : undefined
    },
    ctx.signal,
    150,
  )
}

/** Wait until every node has replayed past lsn. */
export async function waitReplayed(
  ctx: Pick<OpContext, 'endpoint' | 'connections' | 'signal'>,
  nodes: NodeAddress[],
  lsn: string,
  timeoutMs = 30_000,
): Promise<void> {
  await Promise.all(
    nodes.map((n) =>
      waitUntil(
        `${n.name} replaying up to ${lsn}`,
        timeoutMs,
        async () => {
          const rows = await query<{ replay: string | null }>(ctx, n, 'SELECT pg_last_wal_replay_lsn()::text AS replay', 3000)
          const replay = rows[0]?.replay
          return replay && compareLsn(replay, lsn) >= 0 ? true : undefined
        },
        ctx.signal,
        100,
      ),
    ),
  )
}

export async function isInRecovery(ctx: Pick<OpContext, 'endpoint' | 'connections'>, node: NodeAddress): Promise<boolean> {
  const rows = await query<{ rec: boolean }>(ctx, node, 'SELECT pg_is_in_recovery() AS rec', 3000)
  return Boolean(rows[0]?.rec)
}

export { shq }
