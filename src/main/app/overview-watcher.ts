import type { EnvironmentHealth } from '../../shared/health'
import type { ClientContext } from '../core/handler-types'
import type { ServiceHub } from '../core/service-hub'
import { probeEnvironment } from './probe-environment'

/** Checks every environment. One environment that fails to load becomes an unknown card, not an error. */
export async function overviewSnapshot(hub: ServiceHub): Promise<EnvironmentHealth[]> {
  const views = await hub.inventory.list()
  return Promise.all(
    views.map(async ({ environment }) => {
      try {
        const { connections } = await hub.connect(environment.name)
        return await probeEnvironment(connections)
      } catch (err) {
        return { environment: environment.name, status: 'unknown' as const, reason: (err as Error).message, systems: [], checkedAt: Date.now() }
      }
    }),
  )
}

/**
 * The live overview for one client: a snapshot every interval, never two in flight, stopped when
 * the client goes away.
 */
export class OverviewWatcher {
  private timer?: NodeJS.Timeout
  private running = false
  private stopped = false

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
      const environments = await overviewSnapshot(this.hub)
      if (this.live()) this.client.emit('overview:update', { environments, intervalMs: this.intervalMs })
    } finally {
      this.running = false
      if (this.live()) this.timer = setTimeout(() => void this.tick(), this.intervalMs)
    }
  }

  /** Read after an await: stop() may have been called meanwhile. */
  private live(): boolean {
    return !this.stopped
  }

  stop(): void {
    this.stopped = true
    clearTimeout(this.timer)
  }
}
