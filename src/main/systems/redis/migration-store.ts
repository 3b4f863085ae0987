import { readdir, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import { MigrationRecord } from '../../../shared/systems/redis'
import { readJson, writeJson } from '../../core/json-file'

/**
 * Slot migrations persisted as one JSON file per cluster in the data folder, written after every
 * batch of slots, so that an interrupted rebalance (crash, cancel, lost connection) resumes where
 * it stopped instead of planning from scratch.
 */
export class MigrationStore {
  readonly dir: string

  constructor(dataDir: string) {
    this.dir = join(dataDir, 'redis-migrations')
  }

  private file(environment: string, endpointId: string): string {
    return join(this.dir, `${environment}__${endpointId}.json`)
  }

  async get(environment: string, endpointId: string): Promise<MigrationRecord | null> {
    const raw = await readJson<unknown>(this.file(environment, endpointId), null)
    if (raw === null) return null
    const parsed = MigrationRecord.safeParse(raw)
    return parsed.success ? parsed.data : null
  }

  /** The unfinished migration of this cluster, if any. */
  async unfinished(environment: string, endpointId: string): Promise<MigrationRecord | null> {
    const r = await this.get(environment, endpointId)
    return r && r.state !== 'done' ? r : null
  }

  async save(record: MigrationRecord): Promise<void> {
    await writeJson(this.file(record.environment, record.endpointId), { ...record, updatedAt: Date.now() })
  }

  async clear(environment: string, endpointId: string): Promise<void> {
    await unlink(this.file(environment, endpointId)).catch(() => undefined)
  }

  /**
   * Seconds one save of this record takes here (the median of three durable writes of a scratch
   * copy): the engine saves after every batch, one save at a time, so this bounds its pace.
   */
  async timeSave(record: MigrationRecord): Promise<number> {
    const scratch = join(this.dir, `.calibration-${process.pid}.json`)
    const times: number[] = []
    try {
      for (let i = 0; i < 3; i++) {
        const t0 = performance.now()
        await writeJson(scratch, record)
        times.push((performance.now() - t0) / 1000)
      }
    } finally {
      await unlink(scratch).catch(() => undefined)
    }
    return times.sort((a, b) => a - b)[1]!
  }

  async list(): Promise<string[]> {
    return readdir(this.dir).catch(() => [])
  }
}
