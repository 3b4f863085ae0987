import type { Alert } from '../../../shared/alerts'
import { evaluate, type Evaluation } from '../../../shared/domain/alert-eval'
import { alertEntry, factChanges, mergeFacts } from '../../../shared/domain/timeline'
import type { ServiceHub } from '../../core/service-hub'
import { roundsEvery } from '../../core/rounds'
import { observeEnvironment, type EnvironmentObservation } from './observe-environment'

const OBSERVE_TIMEOUT_MS = 15_000

/**
 * Watches every environment on an interval while someone looks: each system observes its
 * endpoints; the pure evaluation moves alerts through pending → firing → resolved; what changed
 * since the last round (roles, nodes down and up, alert transitions, logged reloads) goes onto
 * the timeline; each alert change goes to the listeners (the clients' notifications).
 */
export class EnvironmentWatch {
  private stopRounds: (() => void) | undefined
  private watchers = 0
  private readonly listeners = new Set<(a: Alert) => void>()

  constructor(private readonly hub: ServiceHub) {}

  /** One round for one environment (on a read already made, or a fresh one): observe, evaluate against its rules, record the timeline, save, tell the listeners. */
  async evaluate(name: string, now = Date.now(), read?: EnvironmentObservation): Promise<Evaluation> {
    const [{ values, facts, events, observed }, rules] = await Promise.all([
      read ?? observeEnvironment(this.hub, name, OBSERVE_TIMEOUT_MS),
      this.hub.alerts.rules(name),
    ])
    const result = evaluate(name, this.hub.alerts.active(name), values, observed, rules, now)
    this.hub.alerts.save(
      name,
      result.active,
      result.changed.filter((a) => a.state === 'resolved'),
    )
    const timeline = this.hub.timeline
    const before = timeline.facts(name)
    timeline.record(name, [...factChanges(before, facts, observed, now), ...result.changed.map(alertEntry)])
    timeline.recordDated(name, events)
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

  /** Rounds every intervalMs (the settings' refresh interval when not given) for these environments (all when not given) until stop(). */
  async start(opts: { environments?: readonly string[]; intervalMs?: number } = {}): Promise<void> {
    const intervalMs = opts.intervalMs ?? (await this.hub.settings.get()).refreshIntervalMs
    if (this.watchers === 0 && !opts.environments) return
    this.stop()
    this.stopRounds = roundsEvery(this.hub, { environments: opts.environments, intervalMs }, (name) => this.evaluate(name))
  }

  stop(): void {
    this.stopRounds?.()
    this.stopRounds = undefined
  }
}

/** The hub's one watch, shared by the clients that look and the CLI. */
export function environmentWatch(hub: ServiceHub): EnvironmentWatch {
  return hub.service('environment-watch', (h) => new EnvironmentWatch(h))
}
