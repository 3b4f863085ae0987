import { appendFile, mkdir, readFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { AuditRecord } from '../../shared/actions'

/** Append-only JSON-lines audit trail; a record is written before an action starts and after it ends. */
export class AuditLog {
  readonly path: string

  constructor(dataDir: string) {
    this.path = join(dataDir, 'audit.jsonl')
  }

  async append(record: AuditRecord): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 })
    await appendFile(this.path, JSON.stringify(AuditRecord.parse(record)) + '\n', { mode: 0o600 })
  }

  /** Newest first. Lines that do not parse (a torn write) are skipped, not fatal. */
  async list(limit = 100): Promise<AuditRecord[]> {
    let text: string
    try {
      text = await readFile(this.path, 'utf8')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return []
      throw err
    }
    const out: AuditRecord[] = []
    const lines = text.split('\n').filter(Boolean)
    for (let i = lines.length - 1; i >= 0 && out.length < limit; i--) {
      try {
        const r = AuditRecord.safeParse(JSON.parse(lines[i]!))
        if (r.success) out.push(r.data)
      } catch {
        /* torn line */
      }
    }
    return out
  }
}
