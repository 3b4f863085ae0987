import { SqlDatabase } from '../sqlite/sql-database'
import { mkdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

/** One moment of a series group: each field's value (null when it was unknown then). */
export interface HistoryPoint {
  at: number
  values: Record<string, number | null>
}

/** A field over one minute once full resolution has aged out. */
export interface Rollup {
  min: number | null
  avg: number | null
  max: number | null
}

export interface HistoryOptions {
  /** Samples newer than this stay at full resolution (24 h). */
  fullResolutionMs?: number
  /** Minute rollups older than this are dropped (30 days). */
  keepMs?: number
  /** The database is trimmed, oldest first, to stay under this. */
  maxBytes?: number
  /** How often buffered samples are written (off the poll path). */
  flushEveryMs?: number
  maintainEveryMs?: number
  now?: () => number
}

const DAY = 24 * 3600_000
const MINUTE = 60_000
const DEFAULTS = { fullResolutionMs: DAY, keepMs: 30 * DAY, maxBytes: 512 * 1024 * 1024, flushEveryMs: 1000, maintainEveryMs: 10 * MINUTE }
/** The separator between a group's scope and a field in a series key: never in an id or a name. */
const SEP = '\t'

const SCHEMA = `
CREATE TABLE IF NOT EXISTS series (id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS samples (series INTEGER NOT NULL, at INTEGER NOT NULL, value REAL, PRIMARY KEY (series, at)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS rollups (series INTEGER NOT NULL, minute INTEGER NOT NULL, min REAL, avg REAL, max REAL, n INTEGER NOT NULL,
  PRIMARY KEY (series, minute)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
`

/**
 * The app's metric history in SQLite (WAL) in the data folder: full resolution for a day, then
 * one-minute min/avg/max for thirty days, under a size cap. record() only buffers; a timer writes
 * the buffer in one transaction, so a poll never waits on the disk.
 */
export class HistoryStore {
  readonly db: SqlDatabase
  private readonly opts: Required<Omit<HistoryOptions, 'now'>> & { now: () => number }
  private readonly ids = new Map<string, number>()
  private buffer: { key: string; at: number; value: number | null }[] = []
  private readonly timers: NodeJS.Timeout[] = []
  private readonly statements

  constructor(
    readonly path: string,
    options: HistoryOptions = {},
  ) {
    this.opts = { ...DEFAULTS, now: Date.now, ...options }
    this.db = new SqlDatabase(path)
    this.db.exec('PRAGMA journal_mode = WAL')
    this.db.exec('PRAGMA synchronous = NORMAL')
    this.db.exec(SCHEMA)
    this.statements = {
      seriesId: this.db.prepare<[string], { id: number }>('SELECT id FROM series WHERE key = ?'),
      addSeries: this.db.prepare<[string]>('INSERT INTO series (key) VALUES (?)'),
      insert: this.db.prepare<[number, number, number | null]>('INSERT OR REPLACE INTO samples (series, at, value) VALUES (?, ?, ?)'),
      scope: this.db.prepare<[string, string], { id: number; key: string }>('SELECT id, key FROM series WHERE key > ? AND key < ?'),
    }
    if (this.opts.flushEveryMs > 0) this.timers.push(setInterval(() => this.flush(), this.opts.flushEveryMs).unref())
    if (this.opts.maintainEveryMs > 0) this.timers.push(setInterval(() => this.maintain(), this.opts.maintainEveryMs).unref())
    this.maintain()
  }

  static open(dataDir: string, options?: HistoryOptions): HistoryStore {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 })
    return new HistoryStore(join(dataDir, 'switchyard.db'), options)
  }

  /** Buffer one moment of a group of fields (e.g. scope "lab/postgres/lag", fields "pg2.bytes", "pg2.seconds"). */
  record(scope: string, at: number, values: Record<string, number | null>): void {
    for (const [field, value] of Object.entries(values))
      this.buffer.push({ key: scope + SEP + field, at, value: value !== null && Number.isFinite(value) ? value : null })
  }

  private idOf(key: string): number {
    let id = this.ids.get(key)
    if (id === undefined) {
      id = this.statements.seriesId.get(key)?.id ?? Number(this.statements.addSeries.run(key).lastInsertRowid)
      this.ids.set(key, id)
    }
    return id
  }

  /** Write what is buffered in one transaction; returns how many values and how long it took. */
  flush(): { rows: number; ms: number } {
    if (this.buffer.length === 0 || !this.db.open) return { rows: 0, ms: 0 }
    const rows = this.buffer
    this.buffer = []
    const started = performance.now()
    this.db.transaction(() => {
      for (const r of rows) this.statements.insert.run(this.idOf(r.key), r.at, r.value)
    })
    return { rows: rows.length, ms: performance.now() - started }
  }

  private seriesOf(scope: string): { id: number; field: string }[] {
    return this.statements.scope
      .all(scope + SEP, scope + String.fromCharCode(SEP.charCodeAt(0) + 1))
      .map((s) => ({ id: s.id, field: s.key.slice(scope.length + 1) }))
  }

  /**
   * A group's history from sinceMs on, oldest first: minute averages where only rollups are left,
   * full resolution after; over a long range, averaged into at most maxPoints buckets. What is
   * buffered is written first, so a read sees every record().
   */
  read(scope: string, sinceMs: number, untilMs = this.opts.now(), maxPoints = Number.POSITIVE_INFINITY): HistoryPoint[] {
    if (!this.db.open) return []
    this.flush()
    const series = this.seriesOf(scope)
    if (series.length === 0) return []
    const fieldOf = new Map(series.map((s) => [s.id, s.field]))
    const list = series.map((s) => s.id).join(',')
    // buckets shorter than a poll would not merge anything: read the rows as they are
    const bucket = Number.isFinite(maxPoints) ? Math.max(1, Math.ceil((untilMs - sinceMs) / maxPoints)) : 1
    const b = bucket < 5000 ? 1 : bucket
    const rows = this.db
      .prepare<[number, number, number, number], { series: number; at: number; value: number | null }>(
        `SELECT series, (t / ${b}) * ${b} AS at, avg(value) AS value FROM (
           SELECT series, minute * ${MINUTE} AS t, avg AS value FROM rollups WHERE series IN (${list}) AND minute * ${MINUTE} > ? AND minute * ${MINUTE} <= ?
           UNION ALL SELECT series, at AS t, value FROM samples WHERE series IN (${list}) AND at > ? AND at <= ?)
         GROUP BY series, t / ${b} ORDER BY at`,
      )
      .all(sinceMs, untilMs, sinceMs, untilMs)
    const points: HistoryPoint[] = []
    for (const r of rows) {
      let p = points.at(-1)
      if (p?.at !== r.at) points.push((p = { at: r.at, values: {} }))
      p.values[fieldOf.get(r.series)!] = r.value
    }
    return points
  }

  /** Minute rollups of a group (min, avg and max per field), for what has aged out of full resolution. */
  rollups(scope: string, sinceMs: number): { at: number; values: Record<string, Rollup> }[] {
    if (!this.db.open) return []
    this.flush()
    const series = this.seriesOf(scope)
    if (series.length === 0) return []
    const fieldOf = new Map(series.map((s) => [s.id, s.field]))
    const rows = this.db
      .prepare<[number], { series: number; minute: number } & Rollup>(
        `SELECT series, minute, min, avg, max FROM rollups WHERE series IN (${series.map((s) => s.id).join(',')}) AND minute * ${MINUTE} > ? ORDER BY minute`,
      )
      .all(sinceMs)
    const out: { at: number; values: Record<string, Rollup> }[] = []
    for (const r of rows) {
      let p = out.at(-1)
      if (p?.at !== r.minute * MINUTE) out.push((p = { at: r.minute * MINUTE, values: {} }))
      p.values[fieldOf.get(r.series)!] = { min: r.min, avg: r.avg, max: r.max }
    }
    return out
  }

  setMaxBytes(bytes: number): void {
    this.opts.maxBytes = bytes
  }

  /** Bytes in use (pages not on the free list). */
  usedBytes(): number {
    const pages = Number(this.db.pragmaValue('page_count')) - Number(this.db.pragmaValue('freelist_count'))
    return pages * Number(this.db.pragmaValue('page_size'))
  }

  /**
   * Roll samples older than the full-resolution window into minutes (min, weighted avg, max),
   * drop rollups past the keep window, then trim the oldest data until under the size cap.
   */
  maintain(): { rolledUp: number; dropped: number } {
    if (!this.db.open) return { rolledUp: 0, dropped: 0 }
    this.flush()
    const now = this.opts.now()
    const cutoff = now - this.opts.fullResolutionMs
    let rolledUp = 0
    let dropped = 0
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO rollups (series, minute, min, avg, max, n)
             SELECT series, at / ${MINUTE}, min(value), avg(value), max(value), count(value) FROM samples WHERE at < ? GROUP BY series, at / ${MINUTE}
           ON CONFLICT (series, minute) DO UPDATE SET
             min = CASE WHEN n = 0 THEN excluded.min WHEN excluded.n = 0 THEN min ELSE min(min, excluded.min) END,
             max = CASE WHEN n = 0 THEN excluded.max WHEN excluded.n = 0 THEN max ELSE max(max, excluded.max) END,
             avg = CASE WHEN n + excluded.n = 0 THEN NULL ELSE (coalesce(avg, 0) * n + coalesce(excluded.avg, 0) * excluded.n) / (n + excluded.n) END,
             n = n + excluded.n`,
        )
        .run(cutoff)
      rolledUp = this.db.prepare('DELETE FROM samples WHERE at < ?').run(cutoff).changes
      dropped = this.db.prepare(`DELETE FROM rollups WHERE minute < ?`).run(Math.floor((now - this.opts.keepMs) / MINUTE)).changes
    })
    dropped += this.trimToCap()
    return { rolledUp, dropped }
  }

  /** Oldest data first: a tenth of the remaining time span at a time, rollups before samples. */
  private trimToCap(): number {
    let dropped = 0
    for (let round = 0; round < 50 && this.usedBytes() > this.opts.maxBytes; round++) {
      const span = this.db
        .prepare<[], { lo: number | null; hi: number | null }>(
          `SELECT min(t) AS lo, max(t) AS hi FROM (SELECT minute * ${MINUTE} AS t FROM rollups UNION ALL SELECT at AS t FROM samples)`,
        )
        .get()
      if (span?.lo == null || span.hi == null) break
      const until = span.lo + Math.max(MINUTE, (span.hi - span.lo) / 10)
      dropped += this.db.prepare(`DELETE FROM rollups WHERE minute * ${MINUTE} < ?`).run(until).changes
      dropped += this.db.prepare('DELETE FROM samples WHERE at < ?').run(until).changes
    }
    return dropped
  }

  fileBytes(): number {
    return [this.path, `${this.path}-wal`].reduce((a, p) => {
      try {
        return a + statSync(p).size
      } catch {
        return a
      }
    }, 0)
  }

  close(): void {
    for (const t of this.timers) clearInterval(t)
    if (!this.db.open) return
    this.flush()
    this.db.close()
  }
}
