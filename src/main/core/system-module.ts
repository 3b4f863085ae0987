import type { Observation } from '../../shared/alerts'
import type { CapacityGauge } from '../../shared/capacity'
import type { DatedEvent, Fact, MomentSeries } from '../../shared/timeline'
import type { Finding, HealthStatus, SystemHealth, SystemKind } from '../../shared/health'
import type { Endpoint, EndpointKind, EndpointOf } from '../../shared/inventory'
import type { AnyActionDefinition } from './actions/action-definition'
import type { CliCommand } from './cli'
import type { ConditionDefinition } from './conditions'
import type { Connections } from './connections'
import type { Handlers } from './handler-types'
import type { MetricSample } from './metrics/samples'
import type { ServiceHub } from './service-hub'

/**
 * One system (Redis Cluster, PostgreSQL, …) as the app sees it: everything about it lives in its
 * folder under systems/, and this descriptor is all the rest of the app knows of it. Registering
 * the descriptor in systems/index.ts wires its overview card, requests, actions and CLI.
 */
export interface SystemModule<K extends EndpointKind = EndpointKind> {
  id: SystemKind
  label: string
  /** The endpoint kinds of the inventory this system serves. */
  endpointKinds: readonly K[]
  /** The overview card: never throws for a down node, only for a system that cannot be checked at all. */
  probe: (endpoint: EndpointOf<K>, connections: Connections) => Promise<SystemHealth>
  /** This system's request channels; the assembly checks every channel of the contract has one handler. */
  handlers?: (hub: ServiceHub) => Partial<Handlers>
  actions?: (hub: ServiceHub) => readonly AnyActionDefinition[]
  cli?: CliCommand
  /** What the endpoint's current state says needs attention, for the command palette and alerts. */
  findings?: (hub: ServiceHub, environment: string, endpointId: string) => Promise<Finding[]>
  /** What procedures can check and wait for on this system. */
  conditions?: readonly ConditionDefinition[]
  /** One fresh read for the alert rules and the timeline. */
  observe?: (hub: ServiceHub, environment: string, endpointId: string) => Promise<Observed>
  /** The endpoint's metric history over a window, for the timeline's charts at a moment. */
  moments?: (hub: ServiceHub, environment: string, endpointId: string, from: number, to: number) => Promise<MomentSeries[]>
}

export interface Observed {
  /** The values alert rules watch: lag per standby, a node down, a backend's latency. */
  values: Observation[]
  /** States whose changes the timeline records: roles, primaries, the balancer, backends. */
  facts: Fact[]
  /** What the system logged with its own time: reloads, chunk migrations. */
  events?: DatedEvent[]
  /** The same read as exporter metrics (redis_exporter / postgres_exporter names where they exist). */
  samples?: MetricSample[]
  /** What runs out, with its limit now: memory, retained WAL, connections… (the capacity forecasts' input). */
  capacity?: CapacityGauge[]
}

/** Lets a registry hold modules of different endpoint kinds while each keeps its own typed probe. */
export function defineSystem<K extends EndpointKind>(module: SystemModule<K>): SystemModule {
  return module as unknown as SystemModule
}

export function moduleFor(systems: readonly SystemModule[], endpoint: Endpoint): SystemModule {
  const m = systems.find((s) => s.endpointKinds.includes(endpoint.kind))
  if (!m) throw new Error(`no system module serves "${endpoint.kind}" endpoints`)
  return m
}

/** A system's own status-graded findings as palette/alert findings: only what needs attention. */
export function needingAttention(findings: readonly { status: HealthStatus; reason: string }[]): Finding[] {
  return findings.flatMap((f) => (f.status === 'warn' || f.status === 'critical' ? [{ severity: f.status, message: f.reason }] : []))
}
