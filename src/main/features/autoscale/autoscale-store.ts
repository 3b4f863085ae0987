import type { ServiceHub } from '../../core/service-hub'
import type { SqlDatabase } from '../../core/sqlite/sql-database'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { AutoscalePolicies, ScalingDecision, type ScalingPolicy } from '../../../shared/autoscale'
import { writeFileAtomic } from '../../core/json-file'
import { parseYaml } from '../../core/yaml-parse'

const SCHEMA = `
CREATE TABLE IF NOT EXISTS autoscale_decisions (environment TEXT NOT NULL, policy TEXT NOT NULL, at INTEGER NOT NULL, decision TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS autoscale_decisions_at ON autoscale_decisions (environment, at);
CREATE TABLE IF NOT EXISTS autoscale_paused (environment TEXT PRIMARY KEY, paused INTEGER NOT NULL, at INTEGER NOT NULL);
`
/** Decisions kept per environment: a hold every round for weeks would fill the disk. */
const KEPT = 20_000

const EXAMPLE = (environment: string) => `# Autoscaling policies of ${environment}: one per service behind an nginx upstream.
# mode: recommend (the default) records what it would do; act runs the app tier's scale action.
# Thresholds and cooldowns default to the teams' table: CPU 70 / 30 %, memory 80 / 40 %, 60 s up, 300 s down.
policies: []
#  - name: api
#    endpoint: nginx          # the nginx endpoint's id
#    upstream: app
#    mode: recommend
#    min: 2
#    max: 10
#    step: 1
#    cooldownUp: 60s
#    cooldownDown: 300s
#    metrics:
#      - { metric: cpu, up: 70, down: 30, upFor: 60s, downFor: 300s }
#      - { metric: memory, up: 80, down: 40 }
#      - { metric: p95-latency, up: 500, down: 100, upFor: 120s }
`

/**
 * The policies of each environment as YAML in the data folder (autoscale/<env>.yaml), whether
 * they are paused, and every decision they made, in the app's database.
 */
export class AutoscaleStore {
  constructor(
    private readonly db: SqlDatabase,
    private readonly dataDir: string,
  ) {
    db.exec(SCHEMA)
  }

  path(environment: string): string {
    return join(this.dataDir, 'autoscale', `${environment}.yaml`)
  }

  async yaml(environment: string): Promise<{ yaml: string; custom: boolean }> {
    try {
      return { yaml: await readFile(this.path(environment), 'utf8'), custom: true }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
      return { yaml: EXAMPLE(environment), custom: false }
    }
  }

  async policies(environment: string): Promise<ScalingPolicy[]> {
    const { yaml, custom } = await this.yaml(environment)
    return custom ? parseYaml(yaml, AutoscalePolicies, `valid autoscaling policies (${this.path(environment)})`).policies : []
  }

  /** Validate, then write; a file with a problem is refused with its lines and nothing changes. */
  async save(environment: string, yaml: string): Promise<ScalingPolicy[]> {
    const { policies } = parseYaml(yaml, AutoscalePolicies, 'valid autoscaling policies')
    await writeFileAtomic(this.path(environment), yaml)
    return policies
  }

  paused(environment: string): boolean {
    return this.db.prepare<[string], { paused: number }>('SELECT paused FROM autoscale_paused WHERE environment = ?').get(environment)?.paused === 1
  }

  setPaused(environment: string, paused: boolean): void {
    this.db.prepare('INSERT OR REPLACE INTO autoscale_paused (environment, paused, at) VALUES (?, ?, ?)').run(environment, paused ? 1 : 0, Date.now())
  }

  record(d: ScalingDecision): void {
    this.db.transaction(() => {
      this.db
        .prepare('INSERT INTO autoscale_decisions (environment, policy, at, decision) VALUES (?, ?, ?, ?)')
        .run(d.environment, d.policy, d.at, JSON.stringify(d))
      this.db
        .prepare(
          'DELETE FROM autoscale_decisions WHERE environment = ? AND at < (SELECT at FROM autoscale_decisions WHERE environment = ? ORDER BY at DESC LIMIT 1 OFFSET ?)',
        )
        .run(d.environment, d.environment, KEPT)
    })
  }

  /** Decisions since a time, oldest first: a policy's, or all of the environment's. */
  history(environment: string, opts: { policy?: string; sinceMs?: number; limit?: number } = {}): ScalingDecision[] {
    const rows = this.db
      .prepare<[string, number, string | null, string | null, number], { decision: string }>(
        `SELECT decision FROM autoscale_decisions WHERE environment = ? AND at >= ? AND (? IS NULL OR policy = ?) ORDER BY at DESC LIMIT ?`,
      )
      .all(environment, opts.sinceMs ?? 0, opts.policy ?? null, opts.policy ?? null, opts.limit ?? 5000)
    return rows.map((r) => ScalingDecision.parse(JSON.parse(r.decision))).reverse()
  }

  last(environment: string, policy: string): ScalingDecision | null {
    return this.history(environment, { policy, limit: 1 })[0] ?? null
  }

  /** When the policy last scaled up, and last scaled either way (what the cooldowns count from). */
  lastScaled(environment: string, policy: string): { lastUp: number | null; lastScale: number | null } {
    const rows = this.db
      .prepare<[string, string], { decision: string }>(
        `SELECT decision FROM autoscale_decisions WHERE environment = ? AND policy = ? AND json_extract(decision, '$.outcome') = 'scaled' ORDER BY at DESC LIMIT 20`,
      )
      .all(environment, policy)
      .map((r) => ScalingDecision.parse(JSON.parse(r.decision)))
    return { lastUp: rows.find((d) => d.verdict === 'up')?.at ?? null, lastScale: rows[0]?.at ?? null }
  }
}

/** The one store of a hub's policies, pause switches and decisions. */
export function autoscaleStore(hub: ServiceHub): AutoscaleStore {
  return hub.service('autoscale-store', (h) => new AutoscaleStore(h.history.db, h.options.dataDir))
}
