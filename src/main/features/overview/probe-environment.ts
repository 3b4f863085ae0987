import { reasonFor, withInterrupted, worstStatus } from '../../../shared/domain/health'
import type { EnvironmentHealth, SystemHealth } from '../../../shared/health'
import type { Endpoint } from '../../../shared/inventory'
import type { Connections } from '../../core/connections'
import type { ActionJournal } from '../../core/actions/journal'
import { withTimeout } from '../../core/errors'
import { systemDown } from '../../core/system-health'
import { moduleFor } from '../../core/system-module'
import { systems } from '../../systems'

/** Check one endpoint with its system's probe; never throws, a whole-system failure becomes a critical card. */
export async function probeEndpoint(endpoint: Endpoint, connections: Connections, timeoutMs = 12_000): Promise<SystemHealth> {
  const started = Date.now()
  const system = moduleFor(systems, endpoint)
  try {
    return await withTimeout(`checking ${endpoint.name}`, timeoutMs, system.probe(endpoint, connections))
  } catch (err) {
    return systemDown(endpoint, system.id, started, err, connections.secretValues())
  }
}

/** A card for an endpoint whose probe has not answered yet: as last seen, or "checking…" the first time. */
function pending(endpoint: Endpoint, previous: EnvironmentHealth | undefined): SystemHealth {
  const seen = previous?.systems.find((s) => s.endpointId === endpoint.id)
  if (seen) return seen
  return {
    endpointId: endpoint.id,
    system: moduleFor(systems, endpoint).id,
    name: endpoint.name,
    status: 'unknown',
    reason: 'checking…',
    nodes: [],
    notices: [],
    checkedAt: Date.now(),
    durationMs: 0,
  }
}

/**
 * Every endpoint's card; an action interrupted on the environment (from the journal) makes it
 * critical and comes first. With onProgress, the card is handed over each time one more probe
 * answers — the others as last seen (previous) or "checking…" — so a slow or dead endpoint never
 * holds back the rest.
 */
export async function probeEnvironment(
  connections: Connections,
  journal: ActionJournal,
  onProgress?: (partial: EnvironmentHealth) => void,
  previous?: EnvironmentHealth,
): Promise<EnvironmentHealth> {
  const env = connections.environment
  const answered: (SystemHealth | undefined)[] = env.endpoints.map(() => undefined)
  const card = () =>
    withInterrupted(
      environmentCard(
        env,
        env.endpoints.map((e, i) => answered[i] ?? pending(e, previous)),
      ),
      journal.interrupted(env.name),
    )
  await Promise.all(
    env.endpoints.map(async (e, i) => {
      answered[i] = await probeEndpoint(e, connections)
      if (onProgress && answered.includes(undefined)) onProgress(card())
    }),
  )
  return card()
}

function environmentCard(env: Connections['environment'], systemsHealth: SystemHealth[]): EnvironmentHealth {
  return {
    environment: env.name,
    ...(env.readOnly ? { readOnly: true } : {}),
    status: worstStatus(systemsHealth.map((s) => s.status)),
    reason: reasonFor(
      systemsHealth.map((s) => ({ status: s.status, reason: `${s.name}: ${s.reason}` })),
      `${systemsHealth.length} systems ok`,
    ),
    systems: systemsHealth,
    checkedAt: Date.now(),
  }
}
