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
})
