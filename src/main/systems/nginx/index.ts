import { nginxHandlers } from './nginx-handlers'
import { observeNginx } from './nginx-observe'
import { defineSystem, needingAttention } from '../../core/system-module'
import { nginxConditions } from './nginx-conditions'
import type { ReplicaProvider } from '../../core/replicas'
import { nginxActions } from './actions/index'
import { nginxCli } from './nginx-cli'
import { MOMENT_POINTS, momentSeries } from '../../core/history/moments'
import { nginxService } from './nginx-service'
import { probeNginx } from './overview-probe'

/** nginx as the front of the app tier; the replicas behind it come from the provider the registry hands in. */
export function nginxSystem(replicas: ReplicaProvider) {
  const actions = nginxActions(replicas)
  return defineSystem({
    id: 'nginx',
    label: 'App tier',
    endpointKinds: ['nginx'],
    probe: probeNginx,
    handlers: nginxHandlers(replicas),
    actions: () => actions,
    cli: nginxCli(replicas),
    conditions: nginxConditions(replicas),
    findings: async (hub, environment, endpointId) => needingAttention((await nginxService(hub, replicas).tier(environment, endpointId)).findings),
    observe: observeNginx(replicas),
    moments: async (hub, environment, endpointId, from, to) => {
      const { points } = await nginxService(hub, replicas).stubPoints(environment, endpointId, from, to, MOMENT_POINTS)
      return [
        momentSeries(points, 'nginx requests/s', 'req/s', (v) => v.requestsPerSec ?? null),
        momentSeries(points, 'nginx active connections', 'connections', (v) => v.active ?? null),
      ]
    },
  })
}
