import type { SqlDatabase } from './sqlite/sql-database'
import { existsSync, readFileSync, renameSync } from 'node:fs'
import { join } from 'node:path'
import { AuditRecord } from '../../shared/actions'

const SCHEMA = 'CREATE TABLE IF NOT EXISTS audit (seq INTEGER PRIMARY KEY, at INTEGER NOT NULL, record TEXT NOT NULL)'

/**
 * The audit trail, in the app's database: a record is written before an action starts and after
 * it ends. A JSON-lines audit.jsonl from before is moved in on first open (and kept, renamed).
 */
export class AuditLog {
  private readonly insert

  constructor(
    private readonly db: SqlDatabase,
    dataDir: string,
  ) {
    db.exec(SCHEMA)
    this.insert = db.prepare<[number, string]>('INSERT INTO audit (at, record) VALUES (?, ?)')
    this.migrate(join(dataDir, 'audit.jsonl'))
  }

  private migrate(path: string): void {
    if (!existsSync(path)) return
    const records = readFileSync(path, 'utf8')
      .split('\n')
      .flatMap((line) => {
        try {
          const r = AuditRecord.safeParse(JSON.parse(line))
          return r.success ? [r.data] : []
        } catch {
          return [] // a torn line
        }
      })
    this.db.transaction(() => {
      for (const r of records) this.insert.run(r.at, JSON.stringify(r))
    })
    renameSync(path, `${path}.migrated`)
  }

  append(record: AuditRecord): Promise<void> {
    const valid = AuditRecord.parse(record)
    this.insert.run(valid.at, JSON.stringify(valid))
    return Promise.resolve()
  }

  /** Newest first. */
  list(limit = 100): Promise<AuditRecord[]> {
    const rows = this.db.prepare<[number], { record: string }>('SELECT record FROM audit ORDER BY seq DESC LIMIT ?').all(limit)
    return Promise.resolve(rows.map((r) => AuditRecord.parse(JSON.parse(r.record))))
  }

  /** The records of a window, oldest first. */
  between(from: number, to: number): AuditRecord[] {
    return this.db
      .prepare<[number, number], { record: string }>('SELECT record FROM audit WHERE at >= ? AND at <= ? ORDER BY seq')
      .all(from, to)
      .map((r) => AuditRecord.parse(JSON.parse(r.record)))
  }

  /** Finished actions per environment, kind and outcome (the exporter's switchyard_actions_total). */
  outcomes(): { environment: string; kind: string; outcome: string; count: number }[] {
    return this.db
      .prepare<[], { environment: string; kind: string; outcome: string; count: number }>(
        `SELECT json_extract(record, '$.environment') AS environment, json_extract(record, '$.kind') AS kind,
                coalesce(json_extract(record, '$.result.outcome'), 'unknown') AS outcome, count(*) AS count
         FROM audit WHERE json_extract(record, '$.phase') = 'finished' GROUP BY 1, 2, 3`,
      )
      .all()
  }

  /** Every record, oldest first, as JSON lines (`switchyard audit export`). */
  exportLines(): string {
    return this.db
      .prepare<[], { record: string }>('SELECT record FROM audit ORDER BY seq')
      .all()
      .map((r) => r.record + '\n')
      .join('')
  }
}
