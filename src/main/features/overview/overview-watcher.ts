import type { EnvironmentHealth } from '../../../shared/health'
import type { Environment } from '../../../shared/inventory'
import type { ServiceHub } from '../../core/service-hub'
import { probeEnvironment } from './probe-environment'

/** One environment's cards, handed over as they answer. An environment that fails to load becomes an unknown card, not an error. */
async function environmentHealth(
  hub: ServiceHub,
  environment: Environment,
  onProgress: (partial: EnvironmentHealth) => void,
  previous: EnvironmentHealth | undefined,
): Promise<EnvironmentHealth> {
  try {
    const { connections } = await hub.connect(environment.name)
    return await probeEnvironment(connections, hub.journal, onProgress, previous)
  } catch (err) {
    return { environment: environment.name, status: 'unknown', reason: (err as Error).message, systems: [], checkedAt: Date.now() }
  }
}

function notCheckedYet(environment: string): EnvironmentHealth {
  return { environment, status: 'unknown', reason: 'checking…', systems: [], checkedAt: Date.now() }
}

/** Updates closer together than this go out as one. */
const COALESCE_MS = 30

/** One update of the fleet's cards, as every listener hears it. */
export interface OverviewUpdate {
  environments: EnvironmentHealth[]
  intervalMs: number
}
export type OverviewListener = (update: OverviewUpdate) => void

/**
 * The live overview of one hub, shared by everyone who watches it (each window or web client, the
 * tray): every environment checked each interval, never two rounds in flight, running while anyone
 * listens. Cards stream: each system's result goes out as soon as its probe answers (a few at once,
 * coalesced), so a slow or dead endpoint — which waits out its timeout — holds back neither the
 * other systems nor the other environments. Until it answers it shows as last seen, or
 * "checking…" on the first round.
 */
export class OverviewWatcher {
  private timer?: NodeJS.Timeout
  private pendingEmit?: NodeJS.Timeout
  private running = false
  private readonly latest = new Map<string, EnvironmentHealth>()
  private readonly listeners = new Set<OverviewListener>()
  private names: string[] = []

  constructor(
    private readonly hub: ServiceHub,
    private intervalMs: number,
  ) {}

  /**
   * A listener hears the cards as they stand at once (when a round has run) and every update after;
   * the first one starts the rounds. The returned function removes it; the last one out stops them.
   */
  subscribe(listener: OverviewListener): () => void {
    this.listeners.add(listener)
    if (this.names.length) listener(this.update())
    if (this.listeners.size === 1) this.start()
    return () => {
      if (!this.listeners.delete(listener) || this.listeners.size) return
      clearTimeout(this.timer)
      clearTimeout(this.pendingEmit)
      this.pendingEmit = undefined
    }
  }

  /** A new interval (settings changed, a client asked): the next round runs now and then at that pace. */
  start(intervalMs?: number): number {
    if (intervalMs) this.intervalMs = intervalMs
    clearTimeout(this.timer)
    if (this.live()) void this.tick()
    return this.intervalMs
  }

  private async tick(): Promise<void> {
    if (this.running || !this.live()) return
    this.running = true
    try {
      const environments = (await this.hub.inventory.list()).map((v) => v.environment)
      const names = environments.map((e) => e.name)
      if (names.some((n) => !this.latest.has(n)) || names.length !== this.names.length) this.emit(names)
      await Promise.all(
        environments.map(async (e) => {
          const partial = (p: EnvironmentHealth) => {
            this.latest.set(e.name, p)
            this.emitSoon(names)
          }
          this.latest.set(e.name, await environmentHealth(this.hub, e, partial, this.latest.get(e.name)))
          this.emitSoon(names)
        }),
      )
    } finally {
      this.running = false
      clearTimeout(this.timer)
      if (this.live()) this.timer = setTimeout(() => void this.tick(), this.intervalMs)
    }
  }

  private emitSoon(names: string[]): void {
    if (this.pendingEmit) return
    this.pendingEmit = setTimeout(() => {
      this.pendingEmit = undefined
      this.emit(names)
    }, COALESCE_MS)
  }

  private update(): OverviewUpdate {
    return { environments: this.names.map((n) => this.latest.get(n) ?? notCheckedYet(n)), intervalMs: this.intervalMs }
  }

  private emit(names: string[]): void {
    if (!this.live()) return
    this.names = names
    for (const name of this.latest.keys()) if (!names.includes(name)) this.latest.delete(name)
    const update = this.update()
    for (const l of [...this.listeners]) l(update)
  }

  /** Read after an await: the last listener may have left meanwhile. */
  private live(): boolean {
    return this.listeners.size > 0
  }
}

/** The hub's one overview watcher, at the settings' refresh interval until someone asks for another. */
export async function sharedOverview(hub: ServiceHub): Promise<OverviewWatcher> {
  const intervalMs = (await hub.settings.get()).refreshIntervalMs
  return hub.service('overview-watcher', (h) => new OverviewWatcher(h, intervalMs))
}
