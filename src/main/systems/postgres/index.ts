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
  observe: async (hub, environment, endpointId) => {
    const t = await postgresService(hub).topology(environment, endpointId)
    return [
      ...t.nodes.map((n) => ({ endpointId, metric: 'node-down' as const, subject: n.name, value: n.error ? 1 : 0 })),
      ...t.standbys.flatMap((s) => [
        ...(s.bytes !== null ? [{ endpointId, metric: 'pg-lag-bytes' as const, subject: s.standby, value: s.bytes }] : []),
        ...(s.seconds !== null ? [{ endpointId, metric: 'pg-lag-seconds' as const, subject: s.standby, value: s.seconds }] : []),
      ]),
    ]
  },
})
