import { createRequire } from 'node:module'
import type BetterSqlite3 from 'better-sqlite3'
import type { DriverLoader, SqlDriver, SqlValue } from './sql-database'

let loaded: typeof BetterSqlite3 | { unavailable: string } | undefined

/** better-sqlite3, a native module built for one Node ABI: required only where node:sqlite is missing, never imported. */
function load(): typeof BetterSqlite3 | { unavailable: string } {
  if (!loaded) {
    try {
      const Database = createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3
      new Database(':memory:').close() // the binding itself loads here (an ABI mismatch throws now, not on first use)
      loaded = Database
    } catch (err) {
      loaded = { unavailable: (err as Error).message.split('\n')[0]! }
    }
  }
  return loaded
}

export const betterSqliteDriver: DriverLoader = () => {
  const Database = load()
  if ('unavailable' in Database) return Database
  return (path): SqlDriver => {
    const db = new Database(path)
    return { name: 'better-sqlite3', exec: (sql) => void db.exec(sql), prepare: (sql) => db.prepare<SqlValue[]>(sql), close: () => db.close() }
  }
}
