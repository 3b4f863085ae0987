import type { Settings } from '../../shared/contract'
import type { Environment } from '../../shared/inventory'
import { Connections } from './connections'
import { AlertStore } from './alerts/alert-store'
import { AuditLog } from './audit-log'
import { HistoryStore } from './history/history-store'
import { InventoryStore } from './inventory/inventory-store'
import type { SecretCipher } from './inventory/secret-cipher'
import { destinationsOf, SecretStore } from './inventory/secret-store'
import { SettingsStore } from './settings-store'
import { TimelineStore } from './timeline/timeline-store'
import { RunStore } from './procedures/run-store'
import { KnownHostsStore } from './ssh/known-hosts'
import { ActionJournal } from './actions/journal'
import { join } from 'node:path'

export interface ServiceHubOptions {
  dataDir: string
  cipher: SecretCipher
  /** Secrets given as SWITCHYARD_SECRET__<ENV>__<ENDPOINT>__<SLOT> variables win over the store's. */
  secretVariables?: Readonly<Record<string, string | undefined>>
  /** Trust an SSH host's first key without asking (the CLI's --accept-new-host-key); otherwise it is refused until trusted. */
  acceptNewHostKeys?: boolean
}

/**
 * The long-lived state every service shares: stores in the data folder and one pooled set of
 * connections per environment. Electron, web mode, the CLI and tests each build one of these.
 */
export class ServiceHub {
  readonly inventory: InventoryStore
  readonly knownHosts: KnownHostsStore
  readonly audit: AuditLog
  /** Metric history (and the audit trail) in the data folder's SQLite database. */
  readonly history: HistoryStore
  readonly alerts: AlertStore
  readonly timeline: TimelineStore
  readonly runs: RunStore
  readonly settings: SettingsStore
  /** Every action's step journal and target leases, on a synchronous connection of its own. */
  readonly journal: ActionJournal
  private readonly pools = new Map<string, { fingerprint: string; connections: Promise<Connections> }>()
  /** Connections a running action holds: replaced pools close only once their last run lets go. */
  private readonly retained = new Map<Connections, number>()
  private readonly retired = new Set<Connections>()
  private readonly noticeListeners = new Set<(environment: string, message: string) => void>()
  private readonly services = new Map<string, unknown>()

  constructor(readonly options: ServiceHubOptions) {
    const secrets = new SecretStore(options.dataDir, options.cipher, options.secretVariables)
    this.inventory = new InventoryStore(options.dataDir, secrets)
    this.knownHosts = new KnownHostsStore(options.dataDir, options.acceptNewHostKeys)
    this.history = HistoryStore.open(options.dataDir)
    this.audit = new AuditLog(this.history.db, options.dataDir)
    this.alerts = new AlertStore(this.history.db, options.dataDir)
    this.journal = new ActionJournal(join(options.dataDir, 'switchyard.db'))
    this.timeline = new TimelineStore(this.history.db, this.audit, this.journal)
    this.runs = new RunStore(this.history.db)
    this.settings = new SettingsStore(options.dataDir)
    void this.settings.get().then((s) => this.applySettings(s))
  }

  /** One instance per hub of a system's long-lived service (caches, history), shared by its handlers, CLI and findings. */
  service<T>(key: string, create: (hub: ServiceHub) => T): T {
    if (!this.services.has(key)) this.services.set(key, create(this))
    return this.services.get(key) as T
  }

  /** Settings that take effect in the hub's own stores. */
  applySettings(s: Settings): void {
    if (s.historyMaxMb) this.history.setMaxBytes(s.historyMaxMb * 1024 * 1024)
  }

  onNotice(listener: (environment: string, message: string) => void): () => void {
    this.noticeListeners.add(listener)
    return () => this.noticeListeners.delete(listener)
  }

  private notify(environment: string, message: string): void {
    for (const l of this.noticeListeners) l(environment, message)
  }

  /** Pooled connections for a saved environment; rebuilt when the environment or its secrets change. */
  async connect(name: string): Promise<{ environment: Environment; connections: Connections }> {
    const environment = await this.inventory.get(name)
    const { secrets } = await this.inventory.secrets.bound(name, destinationsOf(environment.endpoints))
    const fingerprint = JSON.stringify([environment, Object.keys(secrets).sort(), Object.values(secrets).map((s) => s.length)])
    const pooled = this.pools.get(name)
    if (pooled && pooled.fingerprint === fingerprint) return { environment, connections: await pooled.connections }
    if (pooled) void pooled.connections.then((c) => this.retire(c))
    const connections = Promise.resolve(new Connections(environment, secrets, this.knownHosts, (m) => this.notify(name, m)))
    this.pools.set(name, { fingerprint, connections })
    return { environment, connections: await connections }
  }

  /** A running action keeps its connections open until it ends, even when its environment is edited meanwhile. */
  retain(connections: Connections): () => void {
    this.retained.set(connections, (this.retained.get(connections) ?? 0) + 1)
    let released = false
    return () => {
      if (released) return
      released = true
      const left = (this.retained.get(connections) ?? 1) - 1
      if (left > 0) return void this.retained.set(connections, left)
      this.retained.delete(connections)
      if (this.retired.delete(connections)) void connections.close()
    }
  }

  private retire(connections: Connections): void {
    if (this.retained.has(connections)) this.retired.add(connections)
    else void connections.close()
  }

  /**
   * Connections for an environment being edited (not saved): stored secrets overlaid by the typed
   * ones. A stored secret goes only to an endpoint that still points where it was saved for; one
   * whose host, port, user or seeds changed must be typed again (asking for it says so).
   */
  async transient(environment: Environment, typedSecrets: Record<string, string>, storedFrom?: string): Promise<Connections> {
    const { secrets: stored, withheld } = storedFrom
      ? await this.inventory.secrets.bound(storedFrom, destinationsOf(environment.endpoints)).catch(() => ({ secrets: {}, withheld: [] }))
      : { secrets: {}, withheld: [] }
    const merged: Record<string, string> = { ...stored }
    for (const [k, v] of Object.entries(typedSecrets)) {
      if (v === '') delete merged[k]
      else merged[k] = v
    }
    const retype = withheld.filter((k) => !(k in typedSecrets))
    return new Connections(environment, merged, this.knownHosts, (m) => this.notify(environment.name, m), retype)
  }

  async close(): Promise<void> {
    const pools = [...this.pools.values()]
    this.pools.clear()
    await Promise.allSettled(pools.map((p) => p.connections.then((c) => c.close())))
    this.journal.close()
    this.history.close()
  }
}
