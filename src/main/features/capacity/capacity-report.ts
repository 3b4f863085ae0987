import type { CapacityReport } from '../../../shared/capacity'
import type { ServiceHub } from '../../core/service-hub'
import { observeEnvironment } from '../alerts/observe-environment'

/** Every resource of an environment that runs out, read now and forecast from its history, worst first. */
export async function capacityReport(hub: ServiceHub, environment: string): Promise<CapacityReport> {
  const o = await observeEnvironment(hub, environment, 15_000, { freshCapacity: true })
  return {
    environment,
    checkedAt: Date.now(),
    resources: o.capacity,
    unread: o.endpoints.filter((e) => e.error).map((e) => ({ endpointName: e.name, message: e.error!.message })),
  }
}
