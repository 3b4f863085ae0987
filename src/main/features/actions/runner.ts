import type { ActionProgress } from '../../../shared/actions'
import { ActionRunner } from '../../core/actions/action-runner'
import type { ServiceHub } from '../../core/service-hub'
import { systems } from '../../systems'
import { scaleInPrediction } from '../autoscale/scale-in-whatif'

/** The action runner over every registered system's actions; the app, the CLI and the tests use this one. */
export function createActionRunner(hub: ServiceHub, onProgress: (p: ActionProgress) => void = () => undefined): ActionRunner {
  return new ActionRunner({
    definitions: systems.flatMap((s) => s.actions?.(hub) ?? []),
    audit: hub.audit,
    journal: hub.journal,
    retain: (c) => hub.retain(c),
    connect: (name) => hub.connect(name),
    onProgress,
    whatIf: scaleInPrediction(hub),
  })
}
