import { join } from 'node:path'
import { Settings } from '../../shared/contract'
import { readJson, writeJson } from './json-file'

const defaults: Settings = { refreshIntervalMs: 2000 }

export class SettingsStore {
  private readonly path: string

  constructor(dataDir: string) {
    this.path = join(dataDir, 'settings.json')
  }

  async get(): Promise<Settings> {
    const parsed = Settings.safeParse({ ...defaults, ...(await readJson<object>(this.path, {})) })
    return parsed.success ? parsed.data : defaults
  }

  /** Fields not given keep their saved values. */
  async set(settings: Settings): Promise<Settings> {
    const valid = Settings.parse({ ...(await this.get()), ...settings })
    await writeJson(this.path, valid)
    return valid
  }
}
