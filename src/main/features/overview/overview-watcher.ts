import type { EnvironmentHealth } from '../../../shared/health'
import type { Environment } from '../../../shared/inventory'
import type { ClientContext } from '../../core/handler-types'
import type { ServiceHub } from '../../core/service-hub'
import { sleep } from '../../core/wait'
import { probeEnvironment } from './probe-environment'

/** One environment's cards. An environment that fails to load becomes an unknown card, not an error. */
async function environmentHealth(hub: ServiceHub, environment: Environment): Promise<EnvironmentHealth> {
  try {
    const { connections } = await hub.connect(environment.name)
    return await probeEnvironment(connections, hub.journal)
  } catch (err) {
    return { environment: environment.name, status: 'unknown', reason: (err as Error).message, systems: [], checkedAt: Date.now() }
  }
}

function notCheckedYet(environment: string): EnvironmentHealth {
  return { environment, status: 'unknown', reason: 'checking…', systems: [], checkedAt: Date.now() }
}

/**
 * The live overview for one client: every environment checked each interval, never two rounds in
 * flight, stopped when the client goes away. An environment that is slow to answer (a host that
 * drops packets waits out its timeouts) does not hold back the others: after one interval the
 * update carries what has arrived, the slow ones as last seen, and another follows when the round ends.
 */
export class OverviewWatcher {
  private timer?: NodeJS.Timeout
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
    const patience = new AbortController()
    try {
      const environments = (await this.hub.inventory.list()).map((v) => v.environment)
      const names = environments.map((e) => e.name)
      const round = Promise.all(environments.map(async (e) => this.latest.set(e.name, await environmentHealth(this.hub, e)))).then(() => true)
      const waited = sleep(this.intervalMs, patience.signal).then(
        () => false,
        () => false,
      )
      if (!(await Promise.race([round, waited]))) {
        this.emit(names)
        await round
      }
      this.emit(names)
    } finally {
      patience.abort()
      this.running = false
      if (this.live()) this.timer = setTimeout(() => void this.tick(), this.intervalMs)
    }
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
  }
}
