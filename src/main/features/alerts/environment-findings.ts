import type { EndpointFinding } from '../../../shared/health'
import { toConnError } from '../../core/errors'
import type { ServiceHub } from '../../core/service-hub'
import { moduleFor } from '../../core/system-module'
import { systems } from '../../systems'

/** What every endpoint of an environment says needs attention, for the command palette. */
export async function environmentFindings(hub: ServiceHub, name: string): Promise<EndpointFinding[]> {
  const environment = await hub.inventory.get(name)
  const lists = await Promise.all(
    environment.endpoints.map(async (e) => {
      const system = moduleFor(systems, e)
      if (!system.findings) return []
      const base = { endpointId: e.id, endpointName: e.name, system: system.id }
      try {
        return (await system.findings(hub, name, e.id)).map((f) => ({ ...base, ...f }))
      } catch (err) {
        return [{ ...base, severity: 'critical' as const, message: `cannot be read: ${toConnError(err).message}` }]
      }
    }),
  )
  return lists.flat()
}
