import { betterSqliteDriver } from './better-sqlite-driver'
import { nodeSqliteDriver } from './node-sqlite-driver'

export type SqlValue = number | bigint | string | null | Uint8Array

export interface SqlStatement<P extends SqlValue[] = SqlValue[], R = unknown> {
  run(...params: P): { changes: number; lastInsertRowid: number | bigint }
  get(...params: P): R | undefined
  all(...params: P): R[]
}

/** What each SQLite binding provides: the two differ in little more than their names. */
export interface SqlDriver {
  readonly name: DriverName
  exec(sql: string): void
  prepare(sql: string): SqlStatement
  close(): void
}

export type DriverName = 'node:sqlite' | 'better-sqlite3'

/** A binding that can open a database file in this runtime, or why it cannot. */
export type DriverLoader = () => ((path: string) => SqlDriver) | { unavailable: string }

const LOADERS: Record<DriverName, DriverLoader> = { 'node:sqlite': nodeSqliteDriver, 'better-sqlite3': betterSqliteDriver }

/**
 * The drivers this runtime can load, best first: node:sqlite where the runtime has it (Electron,
 * Node from 22.13: nothing native to load), better-sqlite3 where it does not (Node 20).
 */
export function availableDrivers(): DriverName[] {
  return (Object.keys(LOADERS) as DriverName[]).filter((name) => typeof LOADERS[name]() === 'function')
}

function opener(name?: DriverName): (path: string) => SqlDriver {
  const reasons: string[] = []
  for (const candidate of name ? [name] : (Object.keys(LOADERS) as DriverName[])) {
    const loaded = LOADERS[candidate]()
    if (typeof loaded === 'function') return loaded
    reasons.push(`${candidate}: ${loaded.unavailable}`)
  }
  throw new Error(`no SQLite driver can be loaded in Node ${process.versions.node} (${reasons.join('; ')})`)
}

/**
 * The app's SQLite database (history, journal, alerts, audit, timeline) on whichever driver this
 * runtime has: the SQL, the schema and the file are the same on both, so a file written by the
 * CLI on Node 20 opens in the desktop app.
 */
export class SqlDatabase {
  private readonly driver: SqlDriver
  private depth = 0
  open = true

  constructor(
    readonly path: string,
    options: { driver?: DriverName } = {},
  ) {
    this.driver = opener(options.driver)(path)
  }

  get driverName(): DriverName {
    return this.driver.name
  }

  exec(sql: string): void {
    this.driver.exec(sql)
  }

  prepare<P extends SqlValue[] = SqlValue[], R = unknown>(sql: string): SqlStatement<P, R> {
    return this.driver.prepare(sql) as unknown as SqlStatement<P, R>
  }

  /** A PRAGMA's single value (page_count, journal_mode…). */
  pragmaValue(name: string): SqlValue {
    const row = this.driver.prepare(`PRAGMA ${name}`).get() as Record<string, SqlValue> | undefined
    return row ? (Object.values(row)[0] ?? null) : null
  }

  /**
   * fn inside a transaction, committed when it returns and rolled back when it throws. The outer
   * one is BEGIN IMMEDIATE (it takes the write lock at once: a read that turns into a write cannot
   * deadlock with another process's); a nested one is a savepoint.
   */
  transaction<T>(fn: () => T): T {
    const savepoint = `sp${this.depth}`
    this.driver.exec(this.depth === 0 ? 'BEGIN IMMEDIATE' : `SAVEPOINT ${savepoint}`)
    this.depth++
    try {
      const result = fn()
      this.driver.exec(this.depth === 1 ? 'COMMIT' : `RELEASE ${savepoint}`)
      return result
    } catch (err) {
      this.driver.exec(this.depth === 1 ? 'ROLLBACK' : `ROLLBACK TO ${savepoint}; RELEASE ${savepoint}`)
      throw err
    } finally {
      this.depth--
    }
  }

  close(): void {
    if (!this.open) return
    this.open = false
    this.driver.close()
  }
}
