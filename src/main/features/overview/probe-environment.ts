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

/** Every endpoint's card; an action interrupted on the environment (from the journal) makes it critical and comes first. */
export async function probeEnvironment(connections: Connections, journal: ActionJournal): Promise<EnvironmentHealth> {
  const env = connections.environment
  const systemsHealth = await Promise.all(env.endpoints.map((e) => probeEndpoint(e, connections)))
  return withInterrupted(environmentCard(env, systemsHealth), journal.interrupted(env.name))
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
