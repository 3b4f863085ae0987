import pg from 'pg'
import type { ActionPlan, ActionResult } from '../../src/shared/actions'
import type { ActionRequest } from '../../src/shared/action-requests'
import type { PgTopology } from '../../src/shared/systems/postgres'
import { createActionRunner } from '../../src/main/features/actions/runner'
import type { ActionRunner } from '../../src/main/core/actions/action-runner'
import { postgresService } from '../../src/main/systems/postgres/postgres-service'
import type { ServiceHub } from '../../src/main/core/service-hub'
import { shellCommand } from '../../src/main/core/ssh/quote'
import type { LabDescription } from '../lab/lab-environment'
import { labHub } from './lab'
import { planAndRun } from './plan-and-run'
import type { WriterOptions } from './pg-writer'

export const PG_ENDPOINT = 'postgres'
export const PG_SSH = 'lab-ssh-postgres'

/** A hub on the lab with the PostgreSQL service and an action runner holding the PostgreSQL actions. */
export async function pgLab() {
  const base = await labHub()
  const progress: string[] = []
  const runner = createActionRunner(base.hub, (p) => progress.push(`[${p.step}/${p.totalSteps}] ${p.message}`))
  const service = postgresService(base.hub)
  const pgNodes = base.lab.postgres.nodes
  const writerOptions = (table: string): WriterOptions => ({
    nodes: pgNodes.map((n) => ({ host: n.host, port: n.port })),
    user: base.lab.postgres.user,
    password: base.lab.postgres.password,
    database: base.lab.postgres.database,
    table,
    intervalMs: 3,
  })
  const { host, port } = base.lab.pgbouncer
  /** The same writer, through the lab's pgbouncer: its commits wait out a PAUSE instead of failing. */
  const bouncedWriterOptions = (table: string): WriterOptions => ({ ...writerOptions(table), nodes: [{ host, port }], queryTimeoutMs: 15_000 })
  return { ...base, runner, service, progress, pgNodes, writerOptions, bouncedWriterOptions }
}
export type PgLab = Awaited<ReturnType<typeof pgLab>>

/** A client of the lab's primary (pg1), not yet connected; its connection errors are the caller's to see in its queries. */
export function primaryClient(lab: LabDescription): pg.Client {
  const c = new pg.Client({
    host: '127.0.0.1',
    port: 15432,
    user: lab.postgres.user,
    password: lab.postgres.password,
    database: lab.postgres.database,
  })
  c.on('error', () => undefined)
  return c
}

/** Drop a test's table on pg1, best effort: cleanup must not hide the test's own failure. */
export async function dropLabTable(lab: PgLab, table: string): Promise<void> {
  const c = primaryClient(lab.lab)
  await c
    .connect()
    .then(() => c.query(`DROP TABLE IF EXISTS ${table}`))
    .catch(() => undefined)
  await c.end().catch(() => undefined)
}

type WithoutTarget<T> = T extends unknown ? Omit<T, 'environment' | 'endpointId'> : never

/** Plan, confirm with the plan's own target, run. */
export function act(runner: ActionRunner, request: WithoutTarget<ActionRequest>): Promise<{ plan: ActionPlan; result: ActionResult }> {
  return planAndRun(runner, { environment: 'lab', endpointId: PG_ENDPOINT, ...request })
}

/** Run a shell line as the postgres OS user through the lab's SSH endpoint. */
export async function labShell(hub: ServiceHub, line: string, timeoutMs = 60_000) {
  const { connections } = await hub.connect('lab')
  const session = await connections.ssh(PG_SSH)
  return session.exec(line, { timeoutMs })
}

export function pgCtl(lab: PgLab, node: string, ...args: string[]): string {
  const n = lab.pgNodes.find((x) => x.name === node)!
  return shellCommand(`${lab.lab.postgres.binDir}/pg_ctl`, '-D', n.dataDir, ...args)
}

/** pg1 primary; pg2 and pg3 streaming from it through active slots pg2/pg3; nothing else. */
export function isLabShape(t: PgTopology): boolean {
  const p = t.nodes.find((n) => n.name === 'pg1')
  return (
    t.primary === 'pg1' &&
    t.nodes.filter((n) => n.role === 'primary').length === 1 &&
    p?.slots.length === 2 &&
    t.nodes.every((n) => n.listed) &&
    ['pg2', 'pg3'].every((s) => {
      const n = t.nodes.find((x) => x.name === s)
      return (
        n?.role === 'standby' &&
        n.upstream === 'pg1' &&
        n.walReceiver?.status === 'streaming' &&
        n.slots.length === 0 &&
        p?.slots.some((sl) => sl.name === s && sl.active)
      )
    })
  )
}

async function waitFor<T>(what: string, ms: number, fn: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + ms
  for (;;) {
    const v = await fn().catch(() => undefined)
    if (v !== undefined) return v
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 200))
  }
}

export async function waitTopology(lab: PgLab, what: string, ms: number, pred: (t: PgTopology) => boolean): Promise<PgTopology> {
  return waitFor(what, ms, async () => {
    const t = await lab.service.topology('lab', 'postgres')
    return pred(t) ? t : undefined
  })
}

/**
 * Put the lab back into its original shape with the product's own actions, whatever a failed test
 * left behind: start a stopped primary, rejoin stopped or diverged standbys, switch back to pg1.
 * Bounded: a handful of actions, each with its own timeouts.
 */
export async function restoreLabShape(lab: PgLab, log: (m: string) => void = () => undefined): Promise<PgTopology> {
  for (let round = 0; round < 4; round++) {
    const t = await lab.service.topology('lab', 'postgres')
    if (isLabShape(t)) return t
    log(
      `restore round ${round}: primary=${t.primary} ${t.nodes.map((n) => `${n.name}:${n.role}/${n.upstream ?? '-'}/${n.walReceiver?.status ?? '-'}`).join(' ')}`,
    )
    if (!t.primary) {
      // No primary: bring pg1 back as it was if it was a clean primary, else fail over.
      const pg1 = t.nodes.find((n) => n.name === 'pg1')
      if (pg1?.role === 'down') {
        const signal = await labShell(lab.hub, `test -f ${lab.pgNodes[0]!.dataDir}/standby.signal`)
        if (signal.code !== 0) {
          await labShell(lab.hub, `${pgCtl(lab, 'pg1', '-l', `${lab.pgNodes[0]!.dataDir}.log`, '-w', '-t', '60', 'start')} </dev/null >/dev/null`)
          continue
        }
      }
      await act(lab.runner, { kind: 'pg.failover' })
      continue
    }
    // Every other node: rejoin it under the current primary when it is down or not streaming from it.
    for (const n of t.nodes) {
      if (!n.listed || n.name === t.primary) continue
      if (n.role === 'primary' || n.role === 'down' || n.upstream !== t.primary || n.walReceiver?.status !== 'streaming') {
        log(`rejoin ${n.name} under ${t.primary}`)
        await act(lab.runner, { kind: 'pg.rejoin', node: n.name })
      }
    }
    const after = await lab.service.topology('lab', 'postgres')
    if (after.primary && after.primary !== 'pg1') {
      log(`switch back ${after.primary} -> pg1`)
      await act(lab.runner, { kind: 'pg.switchover', newPrimary: 'pg1' })
    }
    // Stale slots: of nodes that are gone (e.g. pg4) on pg1, and any inactive slot on a standby (left by a cascade).
    for (const n of (await lab.service.topology('lab', 'postgres')).nodes) {
      if (!n.listed || n.role === 'down') continue
      const stale = n.slots.filter((s) => !s.active && (n.name !== 'pg1' || !['pg2', 'pg3'].includes(s.name)))
      for (const s of stale)
        await labShell(lab.hub, `psql -h 127.0.0.1 -p ${n.port} -U ${lab.lab.postgres.user} -d postgres -Atc "SELECT pg_drop_replication_slot('${s.name}')"`)
    }
  }
  return waitTopology(lab, 'the lab shape', 30_000, isLabShape)
}
