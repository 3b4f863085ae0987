import type { Alert, Observation } from '../../shared/alerts'
import { evaluate, type Evaluation } from '../../shared/domain/alert-eval'
import { toConnError, withTimeout } from '../core/errors'
import type { ServiceHub } from '../core/service-hub'
import { moduleFor } from '../core/system-module'
import { systems } from '../systems'

const OBSERVE_TIMEOUT_MS = 15_000

/**
 * Evaluates every environment's alert rules on an interval while someone watches: each system
 * observes its endpoints, the pure evaluation moves alerts through pending → firing → resolved,
 * the state is saved, and each change goes to the listeners (the clients' notifications).
 */
export class AlertEngine {
  private timer: NodeJS.Timeout | undefined
  private running = false
  private watchers = 0
  private readonly listeners = new Set<(a: Alert) => void>()

  constructor(private readonly hub: ServiceHub) {}

  /** What every endpoint reports; an endpoint that cannot be observed at all is itself a node-down. */
  private async observe(name: string): Promise<{ observations: Observation[]; observed: Set<string> }> {
    const environment = await this.hub.inventory.get(name)
    const observations: Observation[] = []
    const observed = new Set<string>()
    await Promise.all(
      environment.endpoints.map(async (e) => {
        const system = moduleFor(systems, e)
        if (!system.observe) return
        try {
          observations.push(...(await withTimeout(`observing ${e.name}`, OBSERVE_TIMEOUT_MS, system.observe(this.hub, name, e.id))))
          observed.add(e.id)
        } catch (err) {
          observations.push({ endpointId: e.id, metric: 'node-down', subject: `${e.name} (${toConnError(err).message})`.slice(0, 200), value: 1 })
        }
      }),
    )
    return { observations, observed }
  }

  /** One round for one environment: observe, evaluate against its rules, save, tell the listeners. */
  async evaluate(name: string, now = Date.now()): Promise<Evaluation> {
    const [{ observations, observed }, rules] = await Promise.all([this.observe(name), this.hub.alerts.rules(name)])
    const result = evaluate(name, this.hub.alerts.active(name), observations, observed, rules, now)
    this.hub.alerts.save(
      name,
      result.active,
      result.changed.filter((a) => a.state === 'resolved'),
    )
    for (const a of result.changed) for (const l of this.listeners) l(a)
    return result
  }

  /** Hear every change (without starting the rounds). */
  subscribe(listener: (a: Alert) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Hear every change, with rounds running for as long as someone watches. */
  watch(listener: (a: Alert) => void): () => void {
    const off = this.subscribe(listener)
    this.watchers++
    if (this.watchers === 1) void this.start()
    return () => {
      off()
      if (--this.watchers === 0) this.stop()
    }
  }

  private async start(): Promise<void> {
    const intervalMs = (await this.hub.settings.get()).refreshIntervalMs
    if (this.watchers === 0) return
    const tick = async () => {
      if (this.running) return
      this.running = true
      try {
        for (const env of await this.hub.inventory.list()) await this.evaluate(env.environment.name).catch(() => undefined)
      } finally {
        this.running = false
      }
    }
    this.stop()
    this.timer = setInterval(() => void tick(), intervalMs).unref()
    void tick()
  }

  stop(): void {
    clearInterval(this.timer)
    this.timer = undefined
  }
}

/** The hub's one alert engine, shared by the clients that watch and the CLI. */
export function alertEngine(hub: ServiceHub): AlertEngine {
  return hub.service('alert-engine', (h) => new AlertEngine(h))
}
