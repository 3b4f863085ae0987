import { join } from 'node:path'
import { secretDestination } from '../../../shared/domain/secret-binding'
import type { Endpoint, SecretInput } from '../../../shared/inventory'
import { readJson, writeJson } from '../json-file'
import type { SecretCipher } from './secret-cipher'

interface SealedSecret {
  cipher: string
  data: string
  /** secretDestination() of the endpoint it was typed for; absent in files written before secrets were bound. */
  boundTo?: string
}

/** Each endpoint's current destination, by id. */
export type Destinations = ReadonlyMap<string, string>

export function destinationsOf(endpoints: readonly Endpoint[]): Map<string, string> {
  return new Map(endpoints.map((e) => [e.id, secretDestination(e)]))
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

  /**
   * The secrets of an environment in clear, for connecting to these endpoints; never sent to the
   * renderer. A secret saved for another destination (the endpoint's host, port, user or seeds
   * changed since) is withheld and named, never sent to the new one.
   */
  async bound(environment: string, destinations: Destinations): Promise<{ secrets: Record<string, string>; withheld: string[] }> {
    const file = (await this.read())[environment] ?? {}
    const secrets: Record<string, string> = {}
    const withheld: string[] = []
    for (const [key, sealed] of Object.entries(file)) {
      const at = destinations.get(key.split('.')[0]!)
      if (at === undefined) continue
      if (sealed.boundTo !== undefined && sealed.boundTo !== at) {
        withheld.push(key)
        continue
      }
      const value = await this.get(environment, key).catch(() => undefined)
      if (value !== undefined) secrets[key] = value
    }
    return { secrets: { ...secrets, ...this.given(environment) }, withheld }
  }

  /**
   * Apply changes (an empty value deletes), keep only keys whose endpoint still exists and still
   * points where the secret was typed for (`previous`: the destinations as last saved, for secrets
   * stored before they carried their own), and move the secrets along when an environment is renamed.
   * Returns the keys dropped because their endpoint now points elsewhere.
   */
  async update(environment: string, changes: SecretInput, destinations: Destinations, previous: Destinations, previousName?: string): Promise<string[]> {
    const file = await this.read()
    const current = { ...(file[previousName ?? environment] ?? {}) }
    const dropped: string[] = []
    for (const [key, sealed] of Object.entries(current)) {
      const id = key.split('.')[0]!
      const at = destinations.get(id)
      if (at === undefined) delete current[key]
      else if ((sealed.boundTo ?? previous.get(id) ?? at) !== at) {
        delete current[key]
        dropped.push(key)
      } else current[key] = { ...sealed, boundTo: at }
    }
    for (const [key, value] of Object.entries(changes)) {
      if (value === '') delete current[key]
      else current[key] = { cipher: this.cipher.kind, data: await this.cipher.encrypt(value), boundTo: destinations.get(key.split('.')[0]!) }
    }
    if (previousName && previousName !== environment) delete file[previousName]
    file[environment] = current
    await writeJson(this.path, file)
    return dropped.filter((k) => !(k in changes))
  }

  async remove(environment: string): Promise<void> {
    const file = await this.read()
    if (!(environment in file)) return
    delete file[environment]
    await writeJson(this.path, file)
  }
}
