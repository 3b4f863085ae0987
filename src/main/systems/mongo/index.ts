import { defineSystem, needingAttention } from '../../core/system-module'
import { mongoActions } from './mongo-actions'
import { mongoCli } from './mongo-cli'
import { mongoHandlers } from './mongo-handlers'
import { mongoService } from './mongo-service'
import { probeMongo } from './overview-probe'

export const mongoSystem = defineSystem({
  id: 'mongo',
  label: 'MongoDB',
  endpointKinds: ['mongo'],
  probe: probeMongo,
  handlers: mongoHandlers,
  actions: () => mongoActions,
  cli: mongoCli,
  findings: async (hub, environment, endpointId) => needingAttention((await mongoService(hub).cluster(environment, endpointId)).findings),
  observe: async (hub, environment, endpointId) => {
    const c = await mongoService(hub).cluster(environment, endpointId)
    const members = c.replicaSets.flatMap((rs) => rs.members.map((m) => ({ ...m, rs: rs.name })))
    return [
      { endpointId, metric: 'mongo-balancer-off' as const, subject: 'balancer', value: c.balancer.enabled ? 0 : 1 },
      ...c.collections.map((k) => ({ endpointId, metric: 'mongo-imbalance' as const, subject: k.ns, value: k.imbalance.exceeds ? 1 : 0 })),
      ...members.map((m) => ({ endpointId, metric: 'node-down' as const, subject: `${m.rs} ${m.host}`, value: m.healthy ? 0 : 1 })),
      ...members.flatMap((m) =>
        m.lagSeconds !== null ? [{ endpointId, metric: 'mongo-lag-seconds' as const, subject: `${m.rs} ${m.host}`, value: m.lagSeconds }] : [],
      ),
    ]
  },
})
