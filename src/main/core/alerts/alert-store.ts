import type { SqlDatabase } from '../sqlite/sql-database'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { stringify } from 'yaml'
import { Alert, AlertRules, type AlertRule } from '../../../shared/alerts'
import { DEFAULT_RULES } from '../../../shared/domain/alert-eval'
import { SwitchyardError } from '../errors'
import { writeFileAtomic } from '../json-file'
import { parseYaml } from '../yaml-parse'

const SCHEMA = `
CREATE TABLE IF NOT EXISTS alerts (key TEXT NOT NULL, environment TEXT NOT NULL, active INTEGER NOT NULL, at INTEGER NOT NULL, alert TEXT NOT NULL,
  PRIMARY KEY (environment, key, at));
CREATE INDEX IF NOT EXISTS alerts_active ON alerts (environment, active);
`
/** Resolved alerts kept per environment. */
const HISTORY_KEPT = 500

/**
 * Alert state in the app's database (the active alerts of each environment and the resolved ones
 * as history, so a restart loses nothing), and each environment's rules as YAML in the data
 * folder (alerts/<env>.yaml; the defaults when there is none).
 */
export class AlertStore {
  constructor(
    private readonly db: SqlDatabase,
    private readonly dataDir: string,
  ) {
    db.exec(SCHEMA)
  }

  active(environment: string): Alert[] {
    return this.db
      .prepare<[string], { alert: string }>('SELECT alert FROM alerts WHERE environment = ? AND active = 1')
      .all(environment)
      .map((r) => Alert.parse(JSON.parse(r.alert)))
  }

  recent(environment: string, limit = 50): Alert[] {
    return this.db
      .prepare<[string, number], { alert: string }>('SELECT alert FROM alerts WHERE environment = ? AND active = 0 ORDER BY at DESC LIMIT ?')
      .all(environment, limit)
      .map((r) => Alert.parse(JSON.parse(r.alert)))
  }

  /** Replace the environment's active set and append what resolved, in one transaction. */
  save(environment: string, active: readonly Alert[], resolved: readonly Alert[]): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM alerts WHERE environment = ? AND active = 1').run(environment)
      const insert = this.db.prepare<[string, string, number, number, string]>(
        'INSERT OR REPLACE INTO alerts (key, environment, active, at, alert) VALUES (?, ?, ?, ?, ?)',
      )
      for (const a of active) insert.run(a.key, environment, 1, a.since, JSON.stringify(a))
      for (const a of resolved) insert.run(a.key, environment, 0, a.resolvedAt ?? a.since, JSON.stringify(a))
      this.db
        .prepare(
          'DELETE FROM alerts WHERE environment = ? AND active = 0 AND at < (SELECT at FROM alerts WHERE environment = ? AND active = 0 ORDER BY at DESC LIMIT 1 OFFSET ?)',
        )
        .run(environment, environment, HISTORY_KEPT)
    })
  }

  /** Acknowledge or silence one active alert; the change is kept with it. */
  update(environment: string, key: string, change: (a: Alert) => Alert): Alert {
    const current = this.active(environment).find((a) => a.key === key)
    if (!current) throw new SwitchyardError('config', `no active alert ${key} in ${environment}`)
    const next = Alert.parse(change(current))
    this.db.prepare('UPDATE alerts SET alert = ? WHERE environment = ? AND key = ? AND active = 1').run(JSON.stringify(next), environment, key)
    return next
  }

  private rulesPath(environment: string): string {
    return join(this.dataDir, 'alerts', `${environment}.yaml`)
  }

  async rulesYaml(environment: string): Promise<{ yaml: string; custom: boolean }> {
    try {
      return { yaml: await readFile(this.rulesPath(environment), 'utf8'), custom: true }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
      return {
        yaml: `# Alert rules of ${environment} (Switchyard's defaults; edit and save to make them its own)\n${stringify({ rules: DEFAULT_RULES })}`,
        custom: false,
      }
    }
  }

  async rules(environment: string): Promise<AlertRule[]> {
    const { yaml, custom } = await this.rulesYaml(environment)
    if (!custom) return DEFAULT_RULES
    return parseYaml(yaml, AlertRules, `valid alert rules (${this.rulesPath(environment)})`).rules
  }

  /** Validate, then write; a file with a problem is refused with its line and nothing changes. */
  async saveRules(environment: string, yaml: string): Promise<AlertRule[]> {
    const rules = parseYaml(yaml, AlertRules, 'valid alert rules').rules
    await writeFileAtomic(this.rulesPath(environment), yaml)
    return rules
  }
}
