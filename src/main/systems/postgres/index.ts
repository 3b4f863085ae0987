import { defineSystem, needingAttention } from '../../core/system-module'
import { probePostgres } from './overview-probe'
import { postgresActions } from './postgres-actions'
import { pgCli } from './postgres-cli'
import { postgresHandlers } from './postgres-handlers'
import { postgresService } from './postgres-service'

export const postgresSystem = defineSystem({
  id: 'postgres',
  label: 'PostgreSQL',
  endpointKinds: ['postgres'],
  probe: probePostgres,
  handlers: postgresHandlers,
  actions: () => postgresActions,
  cli: pgCli,
  findings: async (hub, environment, endpointId) => needingAttention((await postgresService(hub).topology(environment, endpointId)).findings),
})
