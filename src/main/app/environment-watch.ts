import type { Alert } from '../../shared/alerts'
import { evaluate, type Evaluation } from '../../shared/domain/alert-eval'
import { alertEntry, factChanges, mergeFacts, reachabilityFacts } from '../../shared/domain/timeline'
import { toConnError, withTimeout } from '../core/errors'
import type { ServiceHub } from '../core/service-hub'
import { moduleFor, type Observed } from '../core/system-module'
import { systems } from '../systems'

const OBSERVE_TIMEOUT_MS = 15_000

/**
 * Watches every environment on an interval while someone looks: each system observes its
 * endpoints; the pure evaluation moves alerts through pending → firing → resolved; what changed
 * since the last round (roles, nodes down and up, alert transitions, logged reloads) goes onto
 * the timeline; each alert change goes to the listeners (the clients' notifications).
 */
export class EnvironmentWatch {
  private timer: NodeJS.Timeout | undefined
  private running = false
  private watchers = 0
  private readonly listeners = new Set<(a: Alert) => void>()

  constructor(private readonly hub: ServiceHub) {}

  /** What every endpoint reports; an endpoint that cannot be observed at all is itself a node-down. */
  private async observe(name: string): Promise<Observed & { observed: Set<string> }> {
    const environment = await this.hub.inventory.get(name)
    const all: Required<Observed> = { values: [], facts: [], events: [] }
    const observed = new Set<string>()
    await Promise.all(
      environment.endpoints.map(async (e) => {
        const system = moduleFor(systems, e)
        if (!system.observe) return
        try {
          const o = await withTimeout(`observing ${e.name}`, OBSERVE_TIMEOUT_MS, system.observe(this.hub, name, e.id))
          all.values.push(...o.values)
          all.facts.push(...o.facts)
          all.events.push(...(o.events ?? []))
          all.facts.push(...reachabilityFacts(o.values), { endpointId: e.id, subject: e.name, aspect: 'reachable', value: 'up' })
          observed.add(e.id)
        } catch (err) {
          all.facts.push({ endpointId: e.id, subject: e.name, aspect: 'reachable', value: 'down' })
          all.values.push({ endpointId: e.id, metric: 'node-down', subject: `${e.name} (${toConnError(err).message})`.slice(0, 200), value: 1 })
        }
      }),
    )
    return { ...all, observed }
  }

  /** One round for one environment: observe, evaluate against its rules, record the timeline, save, tell the listeners. */
  async evaluate(name: string, now = Date.now()): Promise<Evaluation> {
    const [{ values, facts, events, observed }, rules] = await Promise.all([this.observe(name), this.hub.alerts.rules(name)])
    const result = evaluate(name, this.hub.alerts.active(name), values, observed, rules, now)
    this.hub.alerts.save(
      name,
      result.active,
      result.changed.filter((a) => a.state === 'resolved'),
    )
    const timeline = this.hub.timeline
    const before = timeline.facts(name)
    timeline.record(name, [...factChanges(before, facts, observed, now), ...result.changed.map(alertEntry)])
    timeline.recordDated(name, events ?? [])
    timeline.saveFacts(name, mergeFacts(before, facts, observed))
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

/** The hub's one watch, shared by the clients that look and the CLI. */
export function environmentWatch(hub: ServiceHub): EnvironmentWatch {
  return hub.service('environment-watch', (h) => new EnvironmentWatch(h))
}
