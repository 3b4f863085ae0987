import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ActionPlan, ActionResult } from '../../src/shared/actions'
import type { ActionRequest } from '../../src/shared/action-requests'
import type { Environment } from '../../src/shared/inventory'
import { createActionRunner } from '../../src/main/features/actions/runner'
import { KeyFileCipher } from '../../src/main/core/inventory/secret-cipher'
import { ServiceHub } from '../../src/main/core/service-hub'
import { mongoService } from '../../src/main/systems/mongo/mongo-service'
import { labScenario } from '../lab/mongo-peer/scenario'
import { startMongoPeer, type PeerOptions } from '../lab/mongo-peer/server'
import { planAndRun } from './plan-and-run'

export const MONGO_USER = 'switchyard'
export const MONGO_PASSWORD = 'lab-mongo-secret'
export const FAST = { electionMs: 400, migrationMs: 150, balancerRoundMs: 150 }

type WithoutTarget<T> = T extends unknown ? Omit<T, 'environment' | 'endpointId'> : never

/**
 * A private MongoDB lab for one test file: the lab's scenario on free ports with fast timings, and
 * a hub whose environment "mongo" points at it as user switchyard (root) — or as "monitor", the
 * clusterMonitor user, when asked.
 */
export async function mongoLab(o: { user?: string; tweak?: (p: PeerOptions) => PeerOptions } = {}) {
  const base = labScenario({ mongos: 0, firstMember: 0 }, [
    { user: MONGO_USER, password: MONGO_PASSWORD, role: 'root' },
    { user: 'monitor', password: MONGO_PASSWORD, role: 'clusterMonitor' },
  ])
  const peer = await startMongoPeer((o.tweak ?? ((p) => p))({ ...base, timings: FAST }))
  const dataDir = mkdtempSync(join(tmpdir(), 'switchyard-mongo-'))
  const hub = new ServiceHub({ dataDir, cipher: new KeyFileCipher(dataDir) })
  const environment: Environment = {
    name: 'mongo',
    endpoints: [
      {
        kind: 'mongo',
        id: 'mongo',
        name: 'lab mongos',
        uri: `${peer.mongos.replace('//', `//${o.user ?? MONGO_USER}@`)}/?authSource=admin`,
        authMechanism: 'DEFAULT',
      },
    ],
  }
  await hub.inventory.save(environment, { 'mongo.password': MONGO_PASSWORD })
  const progress: string[] = []
  const runner = createActionRunner(hub, (p) => progress.push(`[${p.step}/${p.totalSteps}] ${p.message}`))
  const service = mongoService(hub)
  const act = (request: WithoutTarget<ActionRequest>): Promise<{ plan: ActionPlan; result: ActionResult }> =>
    planAndRun(runner, { environment: 'mongo', endpointId: 'mongo', ...request })

  return {
    peer,
    hub,
    runner,
    service,
    progress,
    act,
    read: () => service.cluster('mongo', 'mongo'),
    close: async () => {
      await hub.close()
      await peer.close()
    },
  }
}
export type MongoLab = Awaited<ReturnType<typeof mongoLab>>
