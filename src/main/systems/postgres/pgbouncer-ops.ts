import type { VerificationCheck } from '../../../shared/actions'
import { repointIni } from '../../../shared/domain/pgbouncer'
import type { Connections } from '../../core/connections'
import { SwitchyardError, toConnError } from '../../core/errors'
import { replaceRemoteFile } from '../../core/ssh/remote-file'
import { shq } from '../../core/ssh/quote'
import type { NodeAddress } from './postgres-client'
import type { Op, OpContext } from './postgres-ops'
import { showDatabases, showServers, withConsole, type PgbouncerEndpoint } from './pgbouncer-client'

/** A pgbouncer of the environment with the databases it points at a given server. */
export interface Bouncer {
  endpoint: PgbouncerEndpoint
  databases: string[]
  /** Of those, the ones paused when read: a sign that someone else is switching over. */
  paused?: string[]
}

const PAUSE_TIMEOUT_MS = 30_000
/** Database names Switchyard repoints: anything else could not be matched safely in the ini. */
const SAFE_NAME = /^[A-Za-z0-9_.-]+$/

/** The pgbouncers whose databases point at one of nodes; an unreachable one is a warning, not a guess. */
export async function bouncersAt(
  bouncers: readonly PgbouncerEndpoint[],
  connections: Connections,
  nodes: readonly NodeAddress[],
): Promise<{ found: Bouncer[]; warnings: string[] }> {
  const found: Bouncer[] = []
  const warnings: string[] = []
  for (const b of bouncers) {
    try {
      const dbs = await withConsole(b, connections, showDatabases)
      const at = dbs.filter((d) => nodes.some((n) => d.host === n.host && (d.port ?? 5432) === n.port))
      const paused = at.filter((d) => d.paused).map((d) => d.name)
      if (at.length) found.push({ endpoint: b, databases: at.map((d) => d.name), ...(paused.length ? { paused } : {}) })
    } catch (err) {
      warnings.push(
        `pgbouncer ${b.name} could not be read (${toConnError(err, connections.secretValues()).message}): if it points at ${nodes.map((n) => n.name).join(' or ')}, its clients will see errors`,
      )
    }
  }
  return { found, warnings }
}

/** Why Switchyard could not repoint this pgbouncer, or undefined when it can. */
export function cannotRepoint(b: Bouncer): string | undefined {
  if (!b.endpoint.configPath || !b.endpoint.sshHostId) return `pgbouncer ${b.endpoint.name} has no configPath and SSH host: Switchyard cannot repoint it`
  const bad = b.databases.filter((d) => !SAFE_NAME.test(d))
  if (bad.length) return `pgbouncer ${b.endpoint.name}: database name(s) ${bad.join(', ')} cannot be matched safely in its ini`
  return undefined
}

async function consoleRun(ctx: Pick<OpContext, 'connections'>, b: PgbouncerEndpoint, statements: string[], timeoutMs = 10_000): Promise<void> {
  await withConsole(
    b,
    ctx.connections,
    async (c) => {
      for (const s of statements) await c.query(s)
    },
    timeoutMs,
  )
}

/** Which of the bouncer's databases are paused now. */
async function pausedOf(ctx: Pick<OpContext, 'connections'>, b: Bouncer): Promise<string[]> {
  const dbs = await withConsole(b.endpoint, ctx.connections, showDatabases)
  return b.databases.filter((d) => dbs.find((x) => x.name === d)?.paused)
}

export function pauseBouncerOp(b: Bouncer): Op {
  const statements = b.databases.map((d) => `PAUSE ${d}`)
  const resume = b.databases.map((d) => `RESUME ${d}`)
  return {
    title: `Pause pgbouncer ${b.endpoint.name} (${b.databases.join(', ')}): new queries wait instead of failing`,
    commands: statements.map((s) => `[${b.endpoint.name}] ${s}`),
    // A resumed run pauses only what is not paused yet: PAUSE on a paused database is an error.
    async run(ctx) {
      const paused = await pausedOf(ctx, b)
      await consoleRun(
        ctx,
        b.endpoint,
        statements.filter((_, i) => !paused.includes(b.databases[i]!)),
        PAUSE_TIMEOUT_MS,
      )
    },
    done: async (ctx) => (await pausedOf(ctx, b)).length === b.databases.length,
    undo: { title: `Resume pgbouncer ${b.endpoint.name} (${b.databases.join(', ')})`, commands: resume.map((s) => `[${b.endpoint.name}] ${s}`) },
    revert: async (ctx) => (await resumeAll(ctx, [b])) || 'not paused',
    ifFailed: `A transaction through ${b.endpoint.name} did not finish within ${PAUSE_TIMEOUT_MS / 1000} s; nothing else changed.`,
  }
}

export function resumeBouncerOp(b: Bouncer): Op {
  const statements = b.databases.map((d) => `RESUME ${d}`)
  return {
    title: `Resume pgbouncer ${b.endpoint.name} (${b.databases.join(', ')})`,
    commands: statements.map((s) => `[${b.endpoint.name}] ${s}`),
    run: (ctx) => consoleRun(ctx, b.endpoint, statements),
    done: async (ctx) => (await pausedOf(ctx, b)).length === 0,
  }
}

/** Rewrite the [databases] lines to the new primary in place (owner and mode stay), keep a backup, RELOAD, and check it took. */
export function repointBouncerOp(b: Bouncer, target: NodeAddress): Op {
  const path = b.endpoint.configPath!
  return {
    title: `Repoint pgbouncer ${b.endpoint.name} to ${target.name} (${target.host}:${target.port}) and reload it`,
    commands: [
      `[${b.endpoint.name} via ssh] cat ${shq(path)}`,
      `[${b.endpoint.name} via ssh] cp -p ${shq(path)} ${shq(`${path}.switchyard-<time>.bak`)}, then over SFTP a copy with ${b.databases.map((d) => `"${d} = … host=${target.host} port=${target.port} …"`).join(', ')}, renamed over ${shq(path)}`,
      `[${b.endpoint.name}] RELOAD`,
      `[${b.endpoint.name}] SHOW DATABASES  -- ${b.databases.join(', ')} at ${target.host}:${target.port}`,
    ],
    async run(ctx) {
      const session = await ctx.connections.ssh(b.endpoint.sshHostId!)
      const read = await session.exec(`cat ${shq(path)}`, { timeoutMs: 15_000 })
      if (read.code !== 0) throw new SwitchyardError('other', `reading ${path}: ${read.stderr.trim() || `exit ${read.code}`}`)
      let text = read.stdout
      for (const d of b.databases) {
        const next = repointIni(text, d, target.host, target.port)
        if (next === null) throw new SwitchyardError('config', `${path} has no line for database ${d} in [databases]`)
        text = next
      }
      const backup = await replaceRemoteFile(session, path, text)
      const dbs = await withConsole(b.endpoint, ctx.connections, async (c) => {
        await c.query('RELOAD')
        return showDatabases(c)
      })
      const wrong = b.databases.filter((d) => {
        const row = dbs.find((x) => x.name === d)
        return row?.host !== target.host || row.port !== target.port
      })
      if (wrong.length) throw new SwitchyardError('other', `after RELOAD, ${wrong.join(', ')} still point elsewhere`)
      return `${b.databases.join(', ')} → ${target.host}:${target.port} (backup ${backup})`
    },
    ifFailed: `${b.endpoint.name} is paused and may still point at the old primary: fix ${path}, run RELOAD and RESUME on its admin console.`,
  }
}

/** After a failure: let paused clients through again, wherever they now go. */
export async function resumeAll(ctx: Pick<OpContext, 'connections'>, bouncers: readonly Bouncer[]): Promise<string> {
  const notes: string[] = []
  for (const b of bouncers) {
    for (const d of b.databases) {
      try {
        await consoleRun(ctx, b.endpoint, [`RESUME ${d}`])
        notes.push(`resumed ${b.endpoint.name}/${d}`)
      } catch (err) {
        const msg = toConnError(err).message
        if (!/not paused/i.test(msg)) notes.push(`RESUME ${d} on ${b.endpoint.name} failed: ${msg}`)
      }
    }
  }
  return notes.join('; ')
}

/** Each pgbouncer points at target, is not paused, and every server connection it holds goes there. */
export async function verifyBouncers(connections: Connections, bouncers: readonly Bouncer[], target: NodeAddress): Promise<VerificationCheck[]> {
  const checks: VerificationCheck[] = []
  for (const b of bouncers) {
    try {
      const { dbs, servers } = await withConsole(b.endpoint, connections, async (c) => ({ dbs: await showDatabases(c), servers: await showServers(c) }))
      for (const d of b.databases) {
        const row = dbs.find((x) => x.name === d)
        checks.push({
          name: `${b.endpoint.name}: ${d} points at ${target.name} and is not paused`,
          passed: row?.host === target.host && row.port === target.port && !row.paused,
          detail: row ? `${row.host}:${row.port}${row.paused ? ', paused' : ''}` : 'database gone',
        })
        const elsewhere = servers.filter((s) => s.database === d && !(s.addr === target.host && s.port === target.port))
        checks.push({
          name: `${b.endpoint.name}: server connections of ${d} go to ${target.name}`,
          passed: elsewhere.length === 0,
          detail: elsewhere.length
            ? `${elsewhere.length} still at ${[...new Set(elsewhere.map((s) => `${s.addr}:${s.port}`))].join(', ')}`
            : `${servers.filter((s) => s.database === d).length} server connection(s), all at ${target.host}:${target.port}`,
        })
      }
    } catch (err) {
      checks.push({ name: `${b.endpoint.name} readable`, passed: false, detail: toConnError(err, connections.secretValues()).message })
    }
  }
  return checks
}
