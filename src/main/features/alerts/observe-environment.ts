import type { Observation } from '../../../shared/alerts'
import type { CapacityResource } from '../../../shared/capacity'
import { capacityObservations, capacityRound, type EndpointGauges } from '../capacity/capacity-resources'
import type { DatedEvent, Fact } from '../../../shared/timeline'
import { reachabilityFacts } from '../../../shared/domain/timeline'
import type { SystemKind } from '../../../shared/health'
import type { ConnError } from '../../../shared/health'
import { toConnError, withTimeout } from '../../core/errors'
import type { MetricSample } from '../../core/metrics/samples'
import type { ServiceHub } from '../../core/service-hub'
import { moduleFor } from '../../core/system-module'
import { systems } from '../../systems'

export interface EndpointRead {
  endpointId: string
  name: string
  system: SystemKind
  durationMs: number
  /** Why it could not be observed at all (unreachable, timed out). */
  error: ConnError | null
  samples: MetricSample[]
}

export interface EnvironmentObservation {
  values: Observation[]
  /** What runs out, each with its forecast, worst first (their seconds left are among the values). */
  capacity: CapacityResource[]
  facts: Fact[]
  events: DatedEvent[]
  /** Endpoints read this round; the others' alerts stand as they were. */
  observed: Set<string>
  endpoints: EndpointRead[]
}

/**
 * A read of an endpoint still running (its caller gave up at its deadline) is joined by the next
 * caller instead of started again, so a scrape loop with short deadlines never piles reads — and
 * clients — onto the servers: at most one read per endpoint is ever in flight.
 */
function sharedRead<T>(hub: ServiceHub, key: string, read: () => Promise<T>): Promise<T> {
  const running = hub.service('endpoint-reads', () => new Map<string, Promise<unknown>>())
  const current = running.get(key) as Promise<T> | undefined
  if (current) return current
  const started = read().finally(() => running.delete(key))
  running.set(key, started)
  started.catch(() => undefined)
  return started
}

/**
 * One fresh read of every endpoint of an environment, in parallel, each within the deadline: what
 * alert rules watch, what the timeline records, and the exporter's samples. An endpoint that
 * cannot be read is itself a node-down, never a hang.
 */
export async function observeEnvironment(
  hub: ServiceHub,
  name: string,
  timeoutMs: number,
  options: { freshCapacity?: boolean } = {},
): Promise<EnvironmentObservation> {
  const environment = await hub.inventory.get(name)
  const all: EnvironmentObservation = { values: [], capacity: [], facts: [], events: [], observed: new Set(), endpoints: [] }
  const gauges: EndpointGauges[] = []
  await Promise.all(
    environment.endpoints.map(async (e) => {
      const system = moduleFor(systems, e)
      if (!system.observe) return
      const started = performance.now()
      const read = (error: ConnError | null, samples: MetricSample[]) =>
        all.endpoints.push({ endpointId: e.id, name: e.name, system: system.id, durationMs: performance.now() - started, error, samples })
      try {
        const o = await withTimeout(
          `observing ${e.name}`,
          timeoutMs,
          sharedRead(hub, `${name}/${e.id}`, () => system.observe!(hub, name, e.id)),
        )
        all.values.push(...o.values)
        all.facts.push(...o.facts, ...reachabilityFacts(o.values), { endpointId: e.id, subject: e.name, aspect: 'reachable', value: 'up' })
        all.events.push(...(o.events ?? []))
        if (o.capacity?.length) gauges.push({ endpoint: { id: e.id, name: e.name, system: system.id }, gauges: o.capacity })
        all.observed.add(e.id)
        read(null, o.samples ?? [])
      } catch (err) {
        const error = toConnError(err)
        all.facts.push({ endpointId: e.id, subject: e.name, aspect: 'reachable', value: 'down' })
        all.values.push({ endpointId: e.id, metric: 'node-down', subject: `${e.name} (${error.message})`.slice(0, 200), value: 1 })
        read(error, [])
      }
    }),
  )
  all.capacity = capacityRound(hub, name, gauges, { fresh: options.freshCapacity })
  all.values.push(...capacityObservations(all.capacity))
  return all
}
