import { observeMongo } from './mongo-observe'
import { defineSystem, needingAttention } from '../../core/system-module'
import { mongoConditions } from './mongo-conditions'
import { mongoActions } from './actions'
import { mongoCli } from './mongo-cli'
import { mongoHandlers } from './mongo-handlers'
import { MOMENT_POINTS, momentSeries } from '../../core/history/moments'
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
  conditions: mongoConditions,
  findings: async (hub, environment, endpointId) => needingAttention((await mongoService(hub).cluster(environment, endpointId)).findings),
  observe: observeMongo,
  moments: async (hub, environment, endpointId, from, to) => {
    const { points } = await mongoService(hub).lagPoints(environment, endpointId, from, to, MOMENT_POINTS)
    const worst = (v: Record<string, number | null>) => {
      const xs = Object.values(v).filter((x): x is number => x !== null)
      return xs.length ? Math.max(...xs) : null
    }
    return [momentSeries(points, 'MongoDB member lag (worst)', 's', worst)]
  },
})
