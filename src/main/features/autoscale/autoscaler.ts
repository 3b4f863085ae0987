import type { ScalingDecision, ScalingPolicy } from '../../../shared/autoscale'
import { decide, type MetricSample, type Verdict } from '../../../shared/domain/autoscale-eval'
import { readService, type ServiceReading } from '../../../shared/domain/autoscale-metrics'
import type { AppTier } from '../../../shared/systems/nginx'
import type { Environment } from '../../../shared/inventory'
import { targetKey } from '../../core/actions/action-runner'
import { leaseRefusal } from '../../core/actions/journal'
import { toConnError } from '../../core/errors'
import type { ServiceHub } from '../../core/service-hub'
import { roundsEvery } from '../../core/rounds'
import { readAppTier } from '../../systems'
import { createActionRunner } from '../actions/runner'
import { autoscaleStore, type AutoscaleStore } from './autoscale-store'

/** Samples kept per policy: the longest duration a rule may sensibly ask for. */
const WINDOW_MS = 60 * 60_000
const DEFAULT_INTERVAL_MS = 15_000

type Carried = Pick<ScalingDecision, 'outcome' | 'detail'> & { at?: number }

/**
 * The decision loop: each round reads the app tier behind every policy of an environment, decides
 * (hold, up, down, with the values and thresholds behind it), records the decision, and in act mode
 * runs the app tier's planned scale action through the action protocol as "policy <name>". It
 * never acts while paused, in a read-only environment, when the service's backends are failing for
 * another reason, or while another action holds the nginx endpoint; it records what it would have done.
 */
export class Autoscaler {
  private readonly samples = new Map<string, MetricSample[]>()
  private readonly listeners = new Set<(d: ScalingDecision) => void>()
  private stopRounds: (() => void) | undefined

  constructor(private readonly hub: ServiceHub) {}

  get store(): AutoscaleStore {
    return autoscaleStore(this.hub)
  }

  subscribe(listener: (d: ScalingDecision) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** One round over an environment's policies; the decisions it recorded. */
  async round(environment: string): Promise<ScalingDecision[]> {
    const policies = await this.store.policies(environment)
    if (!policies.length) return []
    const { environment: env } = await this.hub.connect(environment)
    const tiers = new Map<string, Promise<AppTier>>()
    const tierOf = (endpointId: string) => {
      if (!tiers.has(endpointId)) tiers.set(endpointId, readAppTier(this.hub, environment, endpointId))
      return tiers.get(endpointId)!
    }
    const decisions: ScalingDecision[] = []
    for (const policy of policies) {
      const decision = await tierOf(policy.endpoint).then(
        (tier) => this.decideAndCarryOut(env, policy, readService(tier, policy)),
        (err: unknown) => this.unreadable(env.name, policy, err),
      )
      this.store.record(decision)
      if (decision.verdict !== 'hold') this.hub.timeline.record(environment, [timelineEntry(decision)])
      for (const l of this.listeners) l(decision)
      decisions.push(decision)
    }
    return decisions
  }

  private async decideAndCarryOut(env: Environment, policy: ScalingPolicy, reading: ServiceReading): Promise<ScalingDecision> {
    const key = `${env.name}/${policy.name}`
    const now = Date.now()
    const samples = [...(this.samples.get(key) ?? []), reading.sample].filter((s) => now - s.at <= WINDOW_MS)
    this.samples.set(key, samples)
    const v = decide(policy, { samples, replicas: reading.replicas, service: reading.service, now, ...this.store.lastScaled(env.name, policy.name) })
    const carried = await this.carryOut(env, policy, reading, v)
    // After a scale the old samples describe another number of replicas: the next breach starts over.
    if (carried.outcome === 'scaled') this.samples.delete(key)
    return {
      at: carried.at ?? now,
      environment: env.name,
      policy: policy.name,
      endpointId: policy.endpoint,
      upstream: policy.upstream,
      service: reading.service,
      replicas: reading.replicas,
      ...v,
      outcome: carried.outcome,
      detail: carried.detail,
    }
  }

  private async carryOut(env: Environment, policy: ScalingPolicy, reading: ServiceReading, v: Verdict): Promise<Carried> {
    if (v.verdict === 'hold') return { outcome: 'held', detail: null }
    const change = `${reading.replicas} → ${v.desired}`
    if (this.store.paused(env.name)) return { outcome: 'recommended', detail: `policies paused: would scale ${change}` }
    if (env.readOnly) return { outcome: 'recommended', detail: `environment ${env.name} is read-only: would scale ${change}` }
    if (policy.mode === 'recommend') return { outcome: 'recommended', detail: `recommend mode: would scale ${change}` }
    if (reading.unhealthy) return { outcome: 'deferred', detail: `not scaling while ${reading.unhealthy}` }
    const holder = this.hub.journal.holder(targetKey(env.name, policy.endpoint))
    if (holder) return { outcome: 'deferred', detail: leaseRefusal(holder).message }
    const runner = createActionRunner(this.hub)
    try {
      const plan = await runner.plan({ environment: env.name, endpointId: policy.endpoint, kind: 'app.scale', upstream: policy.upstream, replicas: v.desired })
      if (!plan.runnable)
        return {
          outcome: 'deferred',
          detail: `the scale plan's checks fail: ${plan.prechecks
            .filter((c) => !c.passed)
            .map((c) => `${c.name}: ${c.detail}`)
            .join('; ')}`,
        }
      const result = await runner.run(plan.planId, plan.target, undefined, { actor: `policy ${policy.name}` })
      return { outcome: result.outcome === 'succeeded' ? 'scaled' : 'failed', detail: result.message, at: Date.now() }
    } catch (err) {
      return { outcome: 'failed', detail: toConnError(err).message, at: Date.now() }
    }
  }

  private unreadable(environment: string, policy: ScalingPolicy, err: unknown): ScalingDecision {
    return {
      at: Date.now(),
      environment,
      policy: policy.name,
      endpointId: policy.endpoint,
      upstream: policy.upstream,
      service: null,
      verdict: 'hold',
      replicas: 0,
      desired: 0,
      reason: `the app tier could not be read: ${toConnError(err).message}`,
      metrics: [],
      outcome: 'held',
      detail: null,
    }
  }

  /** Rounds every intervalMs over these environments (every one in the inventory when not given) until stop(). */
  start(opts: { environments?: readonly string[]; intervalMs?: number } = {}): void {
    this.stop()
    this.stopRounds = roundsEvery(this.hub, { environments: opts.environments, intervalMs: opts.intervalMs ?? DEFAULT_INTERVAL_MS }, (name) => this.round(name))
  }

  stop(): void {
    this.stopRounds?.()
    this.stopRounds = undefined
  }
}

function timelineEntry(d: ScalingDecision) {
  const verb = d.outcome === 'scaled' ? 'scaled' : d.outcome === 'failed' ? 'failed to scale' : 'would scale'
  return {
    at: d.at,
    kind: 'autoscale' as const,
    severity: d.outcome === 'failed' ? ('critical' as const) : d.outcome === 'scaled' ? ('info' as const) : ('warn' as const),
    endpointId: d.endpointId,
    subject: d.policy,
    message: `policy ${d.policy} ${verb} ${d.service ?? d.upstream} ${d.replicas} → ${d.desired} (${d.outcome}): ${d.reason}${d.detail && d.outcome !== 'scaled' ? `; ${d.detail}` : ''}`,
    source: 'policy' as const,
  }
}

/** The hub's one autoscaler, shared by the app's handlers, the headless watch and the CLI. */
export function autoscaler(hub: ServiceHub): Autoscaler {
  return hub.service('autoscaler', (h) => new Autoscaler(h))
}
