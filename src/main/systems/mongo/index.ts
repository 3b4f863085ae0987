import { defineSystem } from '../../core/system-module'
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
  async findings(hub, environment, endpointId) {
    const cluster = await mongoService(hub).cluster(environment, endpointId)
    return cluster.findings.flatMap((f) => (f.status === 'warn' || f.status === 'critical' ? [{ severity: f.status, message: f.reason }] : []))
  },
})
