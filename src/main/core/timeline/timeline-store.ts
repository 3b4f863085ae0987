import type { SqlDatabase } from '../sqlite/sql-database'
import { randomUUID } from 'node:crypto'
import { Fact, Incident, TimelineEntry, type DatedEvent } from '../../../shared/timeline'
import { auditEntry, byTime, interruptedEntry } from '../../../shared/domain/timeline'
import type { ActionJournal } from '../actions/journal'
import type { AuditLog } from '../audit-log'
import { SwitchyardError } from '../errors'

const SCHEMA = `
CREATE TABLE IF NOT EXISTS timeline (seq INTEGER PRIMARY KEY, environment TEXT NOT NULL, at INTEGER NOT NULL, dedupe TEXT UNIQUE, entry TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS timeline_at ON timeline (environment, at);
CREATE TABLE IF NOT EXISTS facts (environment TEXT PRIMARY KEY, facts TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS incidents (id TEXT PRIMARY KEY, environment TEXT NOT NULL, incident TEXT NOT NULL);
`
const KEEP_MS = 30 * 24 * 3600_000

/**
 * Each environment's timeline in the app's database: what polls saw change, alert transitions,
 * procedure steps, events systems logged with their own time; actions come from the audit log at
 * read time. Also the last facts per environment (so a change while the app was closed shows on
 * the next poll) and the incidents.
 */
export class TimelineStore {
  private readonly insert

  constructor(
    private readonly db: SqlDatabase,
    private readonly audit: AuditLog,
    private readonly journal: ActionJournal,
  ) {
    db.exec(SCHEMA)
    this.insert = db.prepare<[string, number, string | null, string]>('INSERT OR IGNORE INTO timeline (environment, at, dedupe, entry) VALUES (?, ?, ?, ?)')
  }

  record(environment: string, entries: readonly TimelineEntry[]): void {
    if (entries.length === 0) return
    this.db.transaction(() => {
      for (const e of entries) this.insert.run(environment, e.at, null, JSON.stringify(TimelineEntry.parse(e)))
      this.db.prepare('DELETE FROM timeline WHERE environment = ? AND at < ?').run(environment, Date.now() - KEEP_MS)
    })
  }

  /** Events read again on every poll (a log's tail) are kept once. */
  recordDated(environment: string, events: readonly DatedEvent[]): void {
    this.db.transaction(() => {
      for (const e of events)
        this.insert.run(environment, e.at, `${environment}|${e.endpointId}|${e.at}|${e.message}`, JSON.stringify({ ...e, source: 'poll' }))
    })
  }

  /** Oldest first, the audit log's actions merged in, and the runs the journal holds as interrupted. */
  list(environment: string, from: number, to: number): TimelineEntry[] {
    const stored = this.db
      .prepare<[string, number, number], { entry: string }>('SELECT entry FROM timeline WHERE environment = ? AND at >= ? AND at <= ? ORDER BY at')
      .all(environment, from, to)
      .map((r) => TimelineEntry.parse(JSON.parse(r.entry)))
    const actions = this.audit
      .between(from, to)
      .filter((r) => r.environment === environment)
      .map(auditEntry)
    const interrupted = this.journal
      .interrupted(environment)
      .map(interruptedEntry)
      .filter((e) => e.at >= from && e.at <= to)
    return [...stored, ...actions, ...interrupted].sort(byTime)
  }

  facts(environment: string): Fact[] {
    const row = this.db.prepare<[string], { facts: string }>('SELECT facts FROM facts WHERE environment = ?').get(environment)
    if (!row) return []
    const parsed = Fact.array().safeParse(JSON.parse(row.facts))
    return parsed.success ? parsed.data : []
  }

  saveFacts(environment: string, facts: readonly Fact[]): void {
    this.db.prepare('INSERT OR REPLACE INTO facts (environment, facts) VALUES (?, ?)').run(environment, JSON.stringify(facts))
  }

  incidents(environment: string): Incident[] {
    return this.db
      .prepare<[string], { incident: string }>('SELECT incident FROM incidents WHERE environment = ?')
      .all(environment)
      .map((r) => Incident.parse(JSON.parse(r.incident)))
      .sort((a, b) => b.from - a.from)
  }

  startIncident(environment: string, title: string, from: number, openedBy: string): Incident {
    const incident: Incident = { id: randomUUID(), environment, title, from, to: null, openedBy }
    this.saveIncident(incident)
    this.record(environment, [
      { at: from, kind: 'incident', severity: 'warn', endpointId: null, subject: title, message: `incident started: ${title}`, source: 'user' },
    ])
    return incident
  }

  closeIncident(environment: string, id: string, to = Date.now()): Incident {
    const incident = this.incidents(environment).find((i) => i.id === id)
    if (!incident) throw new SwitchyardError('config', `no incident ${id} in ${environment}`)
    const closed = { ...incident, to: incident.to ?? to }
    this.saveIncident(closed)
    this.record(environment, [
      { at: closed.to, kind: 'incident', severity: 'ok', endpointId: null, subject: closed.title, message: `incident closed: ${closed.title}`, source: 'user' },
    ])
    return closed
  }

  private saveIncident(i: Incident): void {
    this.db.prepare('INSERT OR REPLACE INTO incidents (id, environment, incident) VALUES (?, ?, ?)').run(i.id, i.environment, JSON.stringify(i))
  }
}
