import { join } from 'node:path'
import type { SecretInput } from '../../../shared/inventory'
import { readJson, writeJson } from '../json-file'
import type { SecretCipher } from './secret-cipher'

interface SealedSecret {
  cipher: string
  data: string
}
type SecretFile = Record<string, Record<string, SealedSecret>>

const variablePart = (s: string) => s.replace(/[^A-Za-z0-9]/g, '_').toUpperCase()

/**
 * SWITCHYARD_SECRET__LAB__PG_MAIN__REPLICATION_PASSWORD holds the secret pg-main.replication-password
 * of lab: what a systemd EnvironmentFile can give a headless exporter. Endpoint ids and slots are
 * lower case with dashes, so the key reads back exactly.
 */
export function secretVariable(environment: string, key: string): string {
  return `SWITCHYARD_SECRET__${[environment, ...key.split('.')].map(variablePart).join('__')}`
}

/** Secrets of every environment, sealed by the cipher; keys are "<endpointId>.<slot>". */
export class SecretStore {
  private readonly path: string

  constructor(
    dataDir: string,
    private readonly cipher: SecretCipher,
    /** Variables that override the sealed secrets (SWITCHYARD_SECRET__…), for a headless exporter. */
    private readonly variables: Readonly<Record<string, string | undefined>> = {},
  ) {
    this.path = join(dataDir, 'secrets.json')
  }

  private read(): Promise<SecretFile> {
    return readJson<SecretFile>(this.path, {})
  }

  async keys(environment: string): Promise<string[]> {
    return Object.keys((await this.read())[environment] ?? {}).sort()
  }

  /** The secrets of an environment given as variables, by key. */
  private given(environment: string): Record<string, string> {
    const prefix = `SWITCHYARD_SECRET__${variablePart(environment)}__`
    const out: Record<string, string> = {}
    for (const [name, value] of Object.entries(this.variables)) {
      const parts = name.startsWith(prefix) ? name.slice(prefix.length).split('__') : []
      if (parts.length === 2 && value !== undefined) out[parts.map((p) => p.toLowerCase().replace(/_/g, '-')).join('.')] = value
    }
    return out
  }

  async get(environment: string, key: string): Promise<string | undefined> {
    const given = this.given(environment)[key]
    if (given !== undefined) return given
    const sealed = (await this.read())[environment]?.[key]
    if (!sealed) return undefined
    if (sealed.cipher !== this.cipher.kind)
      throw new Error(
        `the secret ${key} of ${environment} was sealed by the ${sealed.cipher} backend and cannot be opened here (${this.cipher.kind}); enter it again`,
      )
    return this.cipher.decrypt(sealed.data)
  }

  /** Every secret of an environment in clear, for connecting; never sent to the renderer. */
  async all(environment: string): Promise<Record<string, string>> {
    const out: Record<string, string> = {}
    for (const key of await this.keys(environment)) {
      const value = await this.get(environment, key).catch(() => undefined)
      if (value !== undefined) out[key] = value
    }
    return { ...out, ...this.given(environment) }
  }

  /**
   * Apply changes (an empty value deletes), keep only keys whose endpoint still exists, and move
   * the secrets along when an environment is renamed.
   */
  async update(environment: string, changes: SecretInput, keepEndpointIds: ReadonlySet<string>, previousName?: string): Promise<void> {
    const file = await this.read()
    const current = { ...(file[previousName ?? environment] ?? {}) }
    for (const [key, value] of Object.entries(changes)) {
      if (value === '') delete current[key]
      else current[key] = { cipher: this.cipher.kind, data: await this.cipher.encrypt(value) }
    }
    for (const key of Object.keys(current)) if (!keepEndpointIds.has(key.split('.')[0]!)) delete current[key]
    if (previousName && previousName !== environment) delete file[previousName]
    file[environment] = current
    await writeJson(this.path, file)
  }

  async remove(environment: string): Promise<void> {
    const file = await this.read()
    if (!(environment in file)) return
    delete file[environment]
    await writeJson(this.path, file)
  }
}
