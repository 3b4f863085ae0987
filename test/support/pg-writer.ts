import pg from 'pg'

/**
 * A client that commits sequential ids as fast as it can (with a small pause), reconnecting to
 * whichever node is primary when a commit fails. It records every acknowledged id and each window
 * in which commits failed, for the zero-loss tests and the switchover benchmark.
 */
export interface WriterOptions {
  nodes: { host: string; port: number }[]
  user: string
  password: string
  database: string
  table: string
  /** Pause between commits. */
  intervalMs?: number
  /** How long one commit may take before it counts as failed (a paused pgbouncer holds it). */
  queryTimeoutMs?: number
}

export interface Outage {
  /** First failed commit. */
  start: number
  /** First successful commit after it (undefined while still failing). */
  end?: number
}

export class SequentialWriter {
  readonly acked: number[] = []
  /** When each id was acknowledged, to measure the pauses a pgbouncer PAUSE turns outages into. */
  readonly ackedAt: number[] = []
  readonly outages: Outage[] = []
  errors: string[] = []
  /** Every failed commit or connection attempt, never trimmed. */
  failures = 0
  private next = 1
  private running = false
  private loop?: Promise<void>
  private client?: pg.Client

  constructor(private readonly o: WriterOptions) {}

  async prepare(): Promise<void> {
    const c = await this.connectPrimary(10_000)
    try {
      await c.query(`DROP TABLE IF EXISTS ${this.o.table}`)
      await c.query(`CREATE TABLE ${this.o.table} (id bigint PRIMARY KEY, at timestamptz NOT NULL DEFAULT clock_timestamp())`)
    } finally {
      await c.end().catch(() => undefined)
    }
  }

  start(): void {
    this.running = true
    this.loop = this.run()
  }

  async stop(): Promise<void> {
    this.running = false
    await this.loop
    await this.client?.end().catch(() => undefined)
    this.client = undefined
  }

  /** Wait until at least n more ids were acknowledged (bounded). */
  async waitForCommits(n: number, timeoutMs = 10_000): Promise<void> {
    const target = this.acked.length + n
    const deadline = Date.now() + timeoutMs
    while (this.acked.length < target) {
      if (Date.now() > deadline)
        throw new Error(`writer committed only ${this.acked.length}/${target} ids in ${timeoutMs} ms; last errors: ${this.errors.slice(-3).join(' | ')}`)
      await new Promise((r) => setTimeout(r, 10))
    }
  }

  /** Longest time without an acknowledgement after `since`: an outage or a wait, whichever the client saw. */
  maxGapMs(since = 0): number {
    let gap = 0
    for (let i = 1; i < this.ackedAt.length; i++) if (this.ackedAt[i]! >= since) gap = Math.max(gap, this.ackedAt[i]! - this.ackedAt[i - 1]!)
    return gap
  }

  /** Longest closed outage starting at or after `since`. */
  maxOutageMs(since = 0): number {
    return Math.max(0, ...this.outages.filter((x) => x.start >= since && x.end !== undefined).map((x) => x.end! - x.start))
  }

  private async connectPrimary(timeoutMs: number): Promise<pg.Client> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      for (const n of this.o.nodes) {
        const c = new pg.Client({
          host: n.host,
          port: n.port,
          user: this.o.user,
          password: this.o.password,
          database: this.o.database,
          connectionTimeoutMillis: 1000,
          query_timeout: this.o.queryTimeoutMs ?? 2000,
          application_name: 'switchyard-writer',
        })
        c.on('error', () => undefined)
        try {
          await c.connect()
          const r = await c.query<{ rec: boolean }>('SELECT pg_is_in_recovery() AS rec')
          if (r.rows[0]?.rec === false) return c
        } catch {
          // try the next node
        }
        await c.end().catch(() => undefined)
      }
      if (Date.now() > deadline) throw new Error(`no primary among ${this.o.nodes.map((n) => n.port).join(', ')} within ${timeoutMs} ms`)
      await new Promise((r) => setTimeout(r, 20))
    }
  }

  private async run(): Promise<void> {
    const interval = this.o.intervalMs ?? 5
    while (this.running) {
      try {
        this.client ??= await this.connectPrimary(500)
        const id = this.next
        try {
          await this.client.query(`INSERT INTO ${this.o.table} (id) VALUES ($1)`, [id])
        } catch (err) {
          // The commit of an earlier attempt went through but its reply was lost.
          if ((err as { code?: string }).code !== '23505') throw err
        }
        this.acked.push(id)
        this.ackedAt.push(Date.now())
        this.next++
        const open = this.outages.at(-1)
        if (open && open.end === undefined) open.end = Date.now()
      } catch (err) {
        const open = this.outages.at(-1)
        if (!open || open.end !== undefined) this.outages.push({ start: Date.now() })
        this.errors.push((err as Error).message)
        this.failures++
        if (this.errors.length > 200) this.errors = this.errors.slice(-100)
        await this.client?.end().catch(() => undefined)
        this.client = undefined
      }
      await new Promise((r) => setTimeout(r, interval))
    }
  }
}

/** Ids of `acked` missing on the node at host:port, after it replayed up to `lsn`. */
export async function missingIds(
  node: { host: string; port: number },
  o: Omit<WriterOptions, 'nodes'>,
  acked: readonly number[],
  lsn?: string,
): Promise<number[]> {
  const c = new pg.Client({
    host: node.host,
    port: node.port,
    user: o.user,
    password: o.password,
    database: o.database,
    connectionTimeoutMillis: 3000,
    query_timeout: 10_000,
  })
  c.on('error', () => undefined)
  await c.connect()
  try {
    if (lsn) {
      const deadline = Date.now() + 15_000
      for (;;) {
        const r = await c.query<{ ok: boolean }>(`SELECT CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() >= $1::pg_lsn ELSE true END AS ok`, [lsn])
        if (r.rows[0]?.ok) break
        if (Date.now() > deadline) throw new Error(`${node.port} did not replay up to ${lsn}`)
        await new Promise((res) => setTimeout(res, 50))
      }
    }
    const r = await c.query<{ id: string }>(`SELECT id FROM ${o.table}`)
    const have = new Set(r.rows.map((x) => Number(x.id)))
    return acked.filter((id) => !have.has(id))
  } finally {
    await c.end().catch(() => undefined)
  }
}
