import type { PgNodeSnapshot, PgTopology } from '../../../../shared/systems/postgres'
import type { Connections } from '../../../core/connections'
import { toConnError } from '../../../core/errors'
import { type NodeAddress, type PostgresEndpoint } from '../postgres-client'
import { cmd, managed, query, ssh, type ManagedNode, type Op, type OpContext } from '../postgres-ops'
import type { PgbouncerEndpoint } from '../pgbouncer-client'
import { bouncersAt, cannotRepoint, type Bouncer } from '../pgbouncer-ops'

/**
 * The PostgreSQL operations (switchover, failover, rejoin, adding and removing a replica) as lists of Ops, built from the topology as it is now. plan() shows
 * the Ops' commands; run() rebuilds the list from a fresh topology and refuses to start if the
 * commands differ, so what runs is exactly what was confirmed.
 */

export interface Check {
  name: string
  passed: boolean
  detail: string
}

export interface PgOperation {
  target: string
  title: string
  summary: string
  risk: 'low' | 'medium' | 'high'
  prechecks: Check[]
  warnings: string[]
  ops: Op[]
  /** Said after a successful run: what the operator still has to do. */
  followUp?: string
  /** Called when op `failedAt` threw: undo what is safe to undo and say what was done. */
  recover?: (failedAt: number, ctx: OpContext) => Promise<string>
  /** The pgbouncers the ops pause and repoint: kept with the plan, so a resume acts on the same ones. */
  bouncers?: Bouncer[]
}

export interface Env {
  environment: string
  endpoint: PostgresEndpoint
  connections: Connections
  /** The environment's pgbouncers: those pointing at the old primary are paused and repointed. */
  bouncers: readonly PgbouncerEndpoint[]
  /** When a run is resumed or rolled back: the pgbouncers its plan found, instead of reading where they point now. */
  recordedBouncers?: Bouncer[]
}

/** The pgbouncers pointing at the primary being replaced, as pre-checks and the ops around the fence. */
export async function pooling(env: Env, old: NodeAddress | undefined, checks: Check[], warnings: string[]): Promise<Bouncer[]> {
  if (env.recordedBouncers) return env.recordedBouncers
  if (!old || env.bouncers.length === 0) return []
  const { found, warnings: w } = await bouncersAt(env.bouncers, env.connections, [old])
  warnings.push(...w)
  for (const b of found) {
    if (b.paused)
      checks.push(
        fail(
          `${b.endpoint.name} is not paused`,
          `${b.paused.join(', ')} paused: another switchover may be under way (from another workstation or by hand); RESUME it once that is over`,
        ),
      )
    const why = cannotRepoint(b)
    checks.push(
      why
        ? fail(`${b.endpoint.name} can be repointed`, why)
        : pass(`${b.endpoint.name} can be repointed`, `${b.databases.join(', ')} via ${b.endpoint.configPath}`),
    )
  }
  return found
}

export const pass = (name: string, detail: string): Check => ({ name, passed: true, detail })
export const fail = (name: string, detail: string): Check => ({ name, passed: false, detail })

export function listed(env: Env, name: string): ManagedNode | undefined {
  const n = env.endpoint.nodes.find((x) => x.name === name)
  return n ? managed(n) : undefined
}

export function snap(topo: PgTopology, name: string): PgNodeSnapshot | undefined {
  return topo.nodes.find((n) => n.name === name)
}

/** SSH reachable and pg_ctl sees the data directory (running or not). */
export async function sshCheck(env: Env, node: ManagedNode, expectRunning?: boolean): Promise<Check> {
  const name = `SSH and data directory on ${node.name}`
  if (!node.sshHostId || !node.dataDir) return fail(name, `${node.name} needs an SSH host and a data directory in the environment`)
  try {
    const r = await ssh(env, node, cmd.status(node), 15_000)
    if (r.code !== 0 && r.code !== 3) return fail(name, `pg_ctl status exited ${r.code}: ${(r.stderr || r.stdout).trim().slice(0, 200)}`)
    const running = r.code === 0
    if (expectRunning !== undefined && running !== expectRunning) return fail(name, `server is ${running ? 'running' : 'not running'}`)
    return pass(name, `${node.dataDir} ${running ? '(running)' : '(stopped)'}`)
  } catch (err) {
    return fail(name, toConnError(err, env.connections.secretValues()).message)
  }
}

export async function rewindCheck(env: Env, node: NodeAddress): Promise<Check> {
  const name = `pg_rewind possible on ${node.name}`
  try {
    const rows = await query<{ hints: string; sums: string }>(
      env,
      node,
      "SELECT current_setting('wal_log_hints') AS hints, current_setting('data_checksums') AS sums",
      3000,
    )
    const r = rows[0]
    if (r?.hints === 'on' || r?.sums === 'on') return pass(name, r.hints === 'on' ? 'wal_log_hints = on' : 'data checksums on')
    return fail(name, 'needs wal_log_hints = on or data checksums; without them the old primary cannot be rewound')
  } catch (err) {
    return fail(name, toConnError(err, env.connections.secretValues()).message)
  }
}

export async function pgpassWarning(env: Env, node: ManagedNode): Promise<string | undefined> {
  try {
    const r = await ssh(env, node, 'test -r "${PGPASSFILE:-$HOME/.pgpass}"', 10_000)
    if (r.code !== 0)
      return `${node.name}'s SSH user has no readable ~/.pgpass: pg_rewind/pg_basebackup and the restarted standby will not be able to authenticate unless pg_hba trusts them`
  } catch {
    return undefined
  }
  return undefined
}

/** A standby's own synchronous_standby_names takes effect when it is promoted; commits hang if nobody matches. */
export async function syncWarning(env: Env, node: NodeAddress): Promise<string | undefined> {
  try {
    const rows = await query<{ s: string }>(env, node, "SELECT current_setting('synchronous_standby_names') AS s", 3000)
    const value = rows[0]?.s ?? ''
    return value.trim()
      ? `${node.name} has synchronous_standby_names = '${value}': after the promotion commits wait for a standby matching it; make sure one will (or clear it)`
      : undefined
  } catch {
    return undefined
  }
}
