import { defineSystem, needingAttention } from '../../core/system-module'
import type { ReplicaProvider } from '../../core/replicas'
import { appActions } from './app-actions'
import { appCli } from './app-cli'
import { nginxService } from './nginx-service'
import { probeNginx } from './overview-probe'

/** nginx as the front of the app tier; the replicas behind it come from the provider the registry hands in. */
export function nginxSystem(replicas: ReplicaProvider) {
  const actions = appActions(replicas)
  return defineSystem({
    id: 'nginx',
    label: 'App tier',
    endpointKinds: ['nginx'],
    probe: probeNginx,
    handlers: (hub) => {
      const service = nginxService(hub, replicas)
      return {
        'app:tier': (input) => service.tier(input.name, input.endpointId),
        'app:stub-history': (input) => service.stubHistory(input.name, input.endpointId, input.sinceMs),
      }
    },
    actions: () => actions,
    cli: appCli(replicas),
    findings: async (hub, environment, endpointId) => needingAttention((await nginxService(hub, replicas).tier(environment, endpointId)).findings),
  })
}
