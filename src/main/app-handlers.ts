import { ActionRunner } from './actions/action-runner'
import { dockerRestart } from './docker/docker-actions'
import { postgresActions } from './postgres/postgres-actions'
import { postgresHandlers } from './postgres/postgres-handlers'
import { createRedisActions } from './redis/redis-actions'
import { redisHandlers } from './redis/redis-handlers'
import type { ClientContext, Handlers } from './handlers'
import { OverviewWatcher } from './health/overview-watcher'
import { probeEndpoint, probeEnvironment } from './health/probe-environment'
import { SwitchyardError } from './errors'
import type { ServiceHub } from './service-hub'
import type { AppInfo } from '../shared/contract'
import type { ActionProgress } from '../shared/actions'

export interface AppHandlerOptions {
  info: AppInfo
  /** Progress of running actions goes to every client, so a second window sees it too. */
  broadcastProgress(p: ActionProgress): void
}

/** The handler for every channel of the contract, over one hub. Both shells and the tests use this. */
export function createHandlers(hub: ServiceHub, options: AppHandlerOptions): Handlers {
  const watchers = new Map<string, OverviewWatcher>()
  const actions = new ActionRunner({
    definitions: [dockerRestart, ...createRedisActions(hub.options.dataDir), ...postgresActions],
    audit: hub.audit,
    connect: (name) => hub.connect(name),
    onProgress: options.broadcastProgress,
  })

  const watcherFor = async (client: ClientContext): Promise<OverviewWatcher> => {
    let w = watchers.get(client.id)
    if (!w) {
      w = new OverviewWatcher(hub, client, (await hub.settings.get()).refreshIntervalMs)
      watchers.set(client.id, w)
      client.onClose(() => {
        watchers.get(client.id)?.stop()
        watchers.delete(client.id)
      })
    }
    return w
  }

  return {
    ...redisHandlers(hub),
    ...postgresHandlers(hub),
    'app:info': async () => options.info,
    'settings:get': () => hub.settings.get(),
    'settings:set': async (input) => {
      const saved = await hub.settings.set(input)
      for (const w of watchers.values()) w.start(saved.refreshIntervalMs)
      return saved
    },

    'env:list': () => hub.inventory.list(),
    'env:save': ({ environment, secrets, previousName }) => hub.inventory.save(environment, secrets, previousName),
    'env:remove': async ({ name }) => ({ removed: await hub.inventory.remove(name) }),
    'env:export': async ({ name }) => ({ yaml: await hub.inventory.exportYaml(name) }),
    'env:import': ({ yaml, overwrite }) => hub.inventory.importYaml(yaml, overwrite),
    'endpoint:test': async ({ environment, endpointId, secrets }) => {
      const endpoint = environment.endpoints.find((e) => e.id === endpointId)
      if (!endpoint) throw new SwitchyardError('config', `no endpoint "${endpointId}" in this environment`)
      const stored = (await hub.inventory.exists(environment.name)) ? environment.name : undefined
      const connections = await hub.transient(environment, secrets, stored)
      try {
        const health = await probeEndpoint(endpoint, connections)
        return { ...health, notices: [...health.notices, ...connections.takeNotices()] }
      } finally {
        await connections.close()
      }
    },

    'hostkey:list': () => hub.knownHosts.list(),
    'hostkey:forget': async ({ host, port }) => ({ removed: await hub.knownHosts.forget(host, port) }),

    'health:env': async ({ name }) => probeEnvironment((await hub.connect(name)).connections),
    'overview:watch': async ({ intervalMs }, client) => ({ intervalMs: (await watcherFor(client)).start(intervalMs) }),
    'overview:unwatch': async (_input, client) => {
      watchers.get(client.id)?.stop()
      return {}
    },

    'action:plan': (request) => actions.plan(request),
    'action:run': ({ planId, confirm }) => actions.run(planId, confirm),
    'action:cancel': async ({ planId }) => ({ cancelled: actions.cancel(planId) }),
    'audit:list': ({ limit }) => hub.audit.list(limit),
  }
}
