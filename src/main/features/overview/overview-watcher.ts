import type { EnvironmentHealth } from '../../../shared/health'
import type { Environment } from '../../../shared/inventory'
import type { ClientContext } from '../../core/handler-types'
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

/**
 * The live overview for one client: every environment checked each interval, never two rounds in
 * flight, stopped when the client goes away. Cards stream: each system's result goes out as soon
 * as its probe answers (a few at once, coalesced), so a slow or dead endpoint — which waits out its
 * timeout — holds back neither the other systems nor the other environments. Until it answers it
 * shows as last seen, or "checking…" on the first round.
 */
export class OverviewWatcher {
  private timer?: NodeJS.Timeout
  private pendingEmit?: NodeJS.Timeout
  private running = false
  private stopped = false
  private readonly latest = new Map<string, EnvironmentHealth>()

  constructor(
    private readonly hub: ServiceHub,
    private readonly client: ClientContext,
    private intervalMs: number,
  ) {}

  start(intervalMs?: number): number {
    if (intervalMs) this.intervalMs = intervalMs
    this.stopped = false
    clearTimeout(this.timer)
    void this.tick()
    return this.intervalMs
  }

  private async tick(): Promise<void> {
    if (this.running || this.stopped) return
    this.running = true
    try {
      const environments = (await this.hub.inventory.list()).map((v) => v.environment)
      const names = environments.map((e) => e.name)
      if (names.some((n) => !this.latest.has(n))) this.emit(names)
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

  private emit(names: string[]): void {
    if (!this.live()) return
    for (const name of this.latest.keys()) if (!names.includes(name)) this.latest.delete(name)
    this.client.emit('overview:update', { environments: names.map((n) => this.latest.get(n) ?? notCheckedYet(n)), intervalMs: this.intervalMs })
  }

  /** Read after an await: stop() may have been called meanwhile. */
  private live(): boolean {
    return !this.stopped
  }

  stop(): void {
    this.stopped = true
    clearTimeout(this.timer)
    clearTimeout(this.pendingEmit)
    this.pendingEmit = undefined
  }
}
