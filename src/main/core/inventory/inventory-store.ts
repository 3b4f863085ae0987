import { readdir, readFile, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import { stringify } from 'yaml'
import { Environment, type EnvironmentView, type SecretInput } from '../../../shared/inventory'
import { SwitchyardError } from '../errors'
import { parseYaml } from '../yaml-parse'
import { writeFileAtomic } from '../json-file'
import { destinationsOf, type SecretStore } from './secret-store'

/** Environments as one YAML file each (no secrets in them), plus their sealed secrets. */
export class InventoryStore {
  private readonly dir: string

  constructor(
    dataDir: string,
    readonly secrets: SecretStore,
  ) {
    this.dir = join(dataDir, 'environments')
  }

  private file(name: string): string {
    return join(this.dir, `${name}.yaml`)
  }

  async list(): Promise<EnvironmentView[]> {
    let names: string[]
    try {
      names = (await readdir(this.dir)).filter((f) => f.endsWith('.yaml')).map((f) => f.slice(0, -5))
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return []
      throw err
    }
    const views: EnvironmentView[] = []
    for (const name of names.sort()) {
      const env = await this.get(name).catch(() => undefined)
      if (env) views.push(await this.view(env))
    }
    return views
  }

  async get(name: string): Promise<Environment> {
    let text: string
    try {
      text = await readFile(this.file(name), 'utf8')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new SwitchyardError('config', `no environment named "${name}"`)
      throw err
    }
    try {
      return parseYaml(text, Environment, 'a valid environment')
    } catch (err) {
      throw new SwitchyardError('config', `environment file ${this.file(name)} is damaged or invalid — ${(err as Error).message}`)
    }
  }

  async view(env: Environment): Promise<EnvironmentView> {
    return { environment: env, secretsSet: await this.secrets.keys(env.name) }
  }

  async exists(name: string): Promise<boolean> {
    return this.get(name).then(
      () => true,
      () => false,
    )
  }

  /** Validate fully, then write; a rename moves the file and its secrets. */
  async save(input: Environment, secretChanges: SecretInput = {}, previousName?: string): Promise<EnvironmentView> {
    const env = Environment.parse(input)
    if (previousName !== env.name && (await this.exists(env.name))) throw new SwitchyardError('config', `an environment named "${env.name}" already exists`)
    const destinations = destinationsOf(env.endpoints)
    for (const key of Object.keys(secretChanges))
      if (!destinations.has(key.split('.')[0]!)) throw new SwitchyardError('config', `secret ${key} names no endpoint of ${env.name}`)
    const before = await this.get(previousName ?? env.name).catch(() => undefined)
    await this.secrets.update(env.name, secretChanges, destinations, destinationsOf(before?.endpoints ?? []), previousName)
    await writeFileAtomic(this.file(env.name), toYaml(env), 0o644)
    if (previousName && previousName !== env.name) await unlink(this.file(previousName)).catch(() => undefined)
    return this.view(env)
  }

  async remove(name: string): Promise<boolean> {
    try {
      await unlink(this.file(name))
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false
      throw err
    }
    await this.secrets.remove(name)
    return true
  }

  async exportYaml(name: string): Promise<string> {
    return toYaml(await this.get(name))
  }

  async importYaml(text: string, overwrite: boolean): Promise<EnvironmentView> {
    const environment = parseYaml(text, Environment, 'a valid environment')
    const exists = await this.exists(environment.name)
    if (exists && !overwrite)
      throw new SwitchyardError('config', `an environment named "${environment.name}" already exists; import with overwrite to replace it`)
    return this.save(environment, {}, exists ? environment.name : undefined)
  }
}

function toYaml(env: Environment): string {
  return `# Switchyard environment (no secrets: they stay in the app's encrypted store)\n${stringify(env)}`
}
