import { defineSystem } from '../../core/system-module'
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
  async findings(hub, environment, endpointId) {
    const topology = await postgresService(hub).topology(environment, endpointId)
    return topology.findings.flatMap((f) => (f.status === 'warn' || f.status === 'critical' ? [{ severity: f.status, message: f.reason }] : []))
  },
})
