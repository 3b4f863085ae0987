import type { SqlDatabase } from '../sqlite/sql-database'
import { ProcedureRun } from '../../../shared/procedures'
import { SwitchyardError } from '../errors'

const SCHEMA = 'CREATE TABLE IF NOT EXISTS procedure_runs (id TEXT PRIMARY KEY, environment TEXT NOT NULL, started_at INTEGER NOT NULL, run TEXT NOT NULL)'

/** Procedure runs, saved after every step so a run survives closing the app and resumes where it stopped. */
export class RunStore {
  constructor(private readonly db: SqlDatabase) {
    db.exec(SCHEMA)
  }

  save(run: ProcedureRun): void {
    this.db
      .prepare('INSERT OR REPLACE INTO procedure_runs (id, environment, started_at, run) VALUES (?, ?, ?, ?)')
      .run(run.id, run.environment, run.startedAt, JSON.stringify(ProcedureRun.parse(run)))
  }

  get(id: string): ProcedureRun {
    const row = this.db.prepare<[string], { run: string }>('SELECT run FROM procedure_runs WHERE id = ?').get(id)
    if (!row) throw new SwitchyardError('config', `no procedure run ${id}`)
    return ProcedureRun.parse(JSON.parse(row.run))
  }

  /** Newest first. */
  list(environment: string, limit = 100): ProcedureRun[] {
    return this.db
      .prepare<[string, number], { run: string }>('SELECT run FROM procedure_runs WHERE environment = ? ORDER BY started_at DESC LIMIT ?')
      .all(environment, limit)
      .map((r) => ProcedureRun.parse(JSON.parse(r.run)))
  }
}
