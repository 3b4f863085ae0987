import type { ActionRequest } from '../../../shared/action-requests'
import { readService } from '../../../shared/domain/autoscale-metrics'
import { scaleInWhatIf } from '../../../shared/domain/scale-in-whatif'
import type { ServiceHub } from '../../core/service-hub'
import { readAppTier } from '../../systems'
import { autoscaleStore } from './autoscale-store'

/**
 * A scale-in's plan says what each remaining replica will carry, from the load per replica now,
 * and warns when that crosses a policy's scale-up threshold on the same upstream.
 */
export function scaleInPrediction(hub: ServiceHub): (request: ActionRequest) => Promise<{ notes: string[]; warnings: string[] }> {
  return async (request) => {
    if (request.kind !== 'app.scale') return { notes: [], warnings: [] }
    const [tier, policies] = await Promise.all([
      readAppTier(hub, request.environment, request.endpointId),
      autoscaleStore(hub)
        .policies(request.environment)
        .catch(() => []),
    ])
    const own = policies.filter((p) => p.endpoint === request.endpointId && p.upstream === request.upstream)
    const reading = readService(tier, { upstream: request.upstream })
    return scaleInWhatIf(reading.sample.values, reading.replicas, request.replicas, own)
  }
}
