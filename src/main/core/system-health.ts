import { reasonFor, worstStatus } from '../../shared/domain/health'
import type { ConnError, HealthStatus, NodeHealth, SystemHealth, SystemKind } from '../../shared/health'
import type { Endpoint } from '../../shared/inventory'
import { toConnError } from './errors'

export interface Finding {
  status: HealthStatus
  reason: string
}

/** Roll node results and system-wide findings up into one card: the worst status, and why. */
export function systemHealth(
  endpoint: Endpoint,
  system: SystemKind,
  started: number,
  nodes: NodeHealth[],
  findings: Finding[] = [],
  notices: string[] = [],
): SystemHealth {
  const items = [...nodes.map((n) => ({ status: n.status, reason: `${n.label}: ${n.error?.message ?? n.detail}` })), ...findings]
  return {
    endpointId: endpoint.id,
    system,
    name: endpoint.name,
    status: worstStatus(items.map((i) => i.status)),
    reason: reasonFor(items, nodes.length === 1 ? (nodes[0]?.detail ?? 'ok') : `${nodes.length} nodes ok`),
    nodes,
    notices,
    checkedAt: started,
    durationMs: Date.now() - started,
  }
}

export function nodeDown(id: string, label: string, err: unknown, secrets: readonly string[], status: HealthStatus = 'critical'): NodeHealth {
  const error: ConnError = toConnError(err, secrets)
  return { id, label, status, detail: error.message, error, metrics: {} }
}

/** A whole system that could not be checked at all (bad config, tunnel down). */
export function systemDown(endpoint: Endpoint, system: SystemKind, started: number, err: unknown, secrets: readonly string[]): SystemHealth {
  return systemHealth(endpoint, system, started, [nodeDown(endpoint.id, endpoint.name, err, secrets)])
}
