import type { DriverLoader, SqlDriver, SqlStatement } from './sql-database'

type NodeSqlite = typeof import('node:sqlite')

/** node:sqlite without its one-time "experimental" warning on stderr (a CLI's output is read by people and scripts). */
function loadQuietly(): NodeSqlite | undefined {
  const emit = process.emitWarning.bind(process)
  process.emitWarning = (warning: string | Error, ...rest: never[]) => {
    if (!String(warning).includes('SQLite')) emit(warning, ...rest)
  }
  try {
    // getBuiltinModule: a plain import would fail to load this module at all on Node 20
    return process.getBuiltinModule('node:sqlite')
  } catch {
    return undefined
  } finally {
    process.emitWarning = emit
  }
}

export const nodeSqliteDriver: DriverLoader = () => {
  const sqlite = loadQuietly()
  if (!sqlite) return { unavailable: 'this runtime has no node:sqlite (Node 22.13 or later)' }
  return (path): SqlDriver => {
    const db = new sqlite.DatabaseSync(path)
    return {
      name: 'node:sqlite',
      exec: (sql) => db.exec(sql),
      prepare: (sql) => {
        const statement = db.prepare(sql)
        return {
          run: (...p) => {
            const r = statement.run(...p)
            return { changes: Number(r.changes), lastInsertRowid: r.lastInsertRowid }
          },
          get: (...p) => statement.get(...p),
          all: (...p) => statement.all(...p),
        } satisfies SqlStatement
      },
      close: () => db.close(),
    }
  }
}
