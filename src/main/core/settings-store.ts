import { join } from 'node:path'
import { Settings } from '../../shared/contract'
import { readJson, writeJson } from './json-file'

const defaults: Settings = { refreshIntervalMs: 2000 }

export class SettingsStore {
  private readonly path: string

  constructor(dataDir: string) {
    this.path = join(dataDir, 'settings.json')
  }

  /** The saved settings; a damaged or invalid file reads as the defaults (and says so once), never as a crash. */
  async get(): Promise<Settings> {
    const saved = await readJson<unknown>(this.path, {}).catch((err: unknown) => {
      this.warn(`${(err as Error).message}: using the default settings`)
      return {}
    })
    const parsed = Settings.safeParse({ ...defaults, ...(saved !== null && typeof saved === 'object' && !Array.isArray(saved) ? saved : {}) })
    if (!parsed.success) this.warn(`${this.path} has invalid settings (${parsed.error.issues[0]?.message}): using the defaults`)
    return parsed.success ? parsed.data : defaults
  }

  private warned = false
  private warn(message: string): void {
    if (this.warned) return
    this.warned = true
    console.error(`switchyard: ${message}`)
  }

  /** Fields not given keep their saved values. */
  async set(settings: Settings): Promise<Settings> {
    const valid = Settings.parse({ ...(await this.get()), ...settings })
    await writeJson(this.path, valid)
    return valid
  }
}
