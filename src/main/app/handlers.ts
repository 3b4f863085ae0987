import type { ActionProgress } from '../../shared/actions'
import type { AppInfo } from '../../shared/contract'
import { requests, type RequestChannel } from '../../shared/contract'
import { SwitchyardError } from '../core/errors'
import type { ClientContext, Handlers } from '../core/handler-types'
import type { ServiceHub } from '../core/service-hub'
import { systems } from '../systems'
import { createActionRunner } from '../features/actions/runner'
import { refuseEditUnderRun } from '../core/actions/journal'
import { environmentWatch } from '../features/alerts/environment-watch'
import { sharedOverview } from '../features/overview/overview-watcher'
import { probeEndpoint, probeEnvironment } from '../features/overview/probe-environment'
import { environmentFindings } from '../features/alerts/environment-findings'
import { environmentMoments, incidentReport } from '../features/incidents/incident-report'
import { procedureEngine, type Going } from '../features/procedures/engine'
import { procedureReport } from '../features/procedures/report'
import { currentUser } from '../core/current-user'
import { autoscaleHandlers } from '../features/autoscale/autoscale-handlers'
import { capacityHandlers } from '../features/capacity/capacity-handlers'

export interface AppHandlerOptions {
  info: AppInfo
  /** Progress of running actions goes to every client, so a second window sees it too. */
  broadcastProgress: (p: ActionProgress) => void
}

/** Every system's request handlers merged; a channel served twice or not at all is a wiring bug caught at start-up. */
export function systemHandlers(hub: ServiceHub): Partial<Handlers> {
  const merged: Partial<Handlers> = {}
  for (const s of systems)
    for (const [channel, handler] of Object.entries(s.handlers?.(hub) ?? {})) {
      if (channel in merged) throw new Error(`request ${channel} is served by two systems`)
      Object.assign(merged, { [channel]: handler })
    }
  return merged
}

/** The handler for every channel of the contract, over one hub. Both shells and the tests use this. */
export function createHandlers(hub: ServiceHub, options: AppHandlerOptions): Handlers {
  /** Each client watching the overview, by id, with how it stops listening. */
  const watching = new Map<string, () => void>()
  const alertWatchers = new Set<string>()
  const runWatchers = new Set<string>()
  const procedures = procedureEngine(hub)
  /** A run goes on in the background: the reply is the run as it stands, the rest arrives as 'procedures:changed'. */
  const carryOn = ({ run, finished }: Going) => {
    void finished.catch(() => undefined)
    return Promise.resolve(run)
  }
  const actions = createActionRunner(hub, options.broadcastProgress)

  const watch = async (client: ClientContext, intervalMs?: number): Promise<number> => {
    const overview = await sharedOverview(hub)
    if (!watching.has(client.id)) {
      watching.set(
        client.id,
        overview.subscribe((update) => client.emit('overview:update', update)),
      )
      client.onClose(() => unwatch(client.id))
    }
    return overview.start(intervalMs)
  }
  const unwatch = (clientId: string) => {
    watching.get(clientId)?.()
    watching.delete(clientId)
  }

  const handlers: Partial<Handlers> = {
    ...systemHandlers(hub),
    ...autoscaleHandlers(hub),
    ...capacityHandlers(hub),
    'app:info': async () => options.info,
    'settings:get': () => hub.settings.get(),
    'settings:set': async (input) => {
      const saved = await hub.settings.set(input)
      hub.applySettings(saved)
      ;(await sharedOverview(hub)).start(saved.refreshIntervalMs)
      return saved
    },

    'env:list': () => hub.inventory.list(),
    'env:save': ({ environment, secrets, previousName }) => {
      refuseEditUnderRun(hub.journal, previousName ?? environment.name, { name: environment.name, endpointIds: environment.endpoints.map((e) => e.id) })
      return hub.inventory.save(environment, secrets, previousName)
    },
    'env:remove': async ({ name }) => {
      refuseEditUnderRun(hub.journal, name, null)
      return { removed: await hub.inventory.remove(name) }
    },
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
    'hostkey:trust': ({ host, port, algorithm, fingerprint }) => hub.knownHosts.trust(host, port, algorithm, fingerprint),

    'health:env': async ({ name }) => probeEnvironment((await hub.connect(name)).connections, hub.journal),
    'overview:watch': async ({ intervalMs }, client) => ({ intervalMs: await watch(client, intervalMs) }),
    'overview:unwatch': async (_input, client) => {
      unwatch(client.id)
      return {}
    },

    'action:plan': (request) => actions.plan(request),
    'actions:runs': async ({ name, limit }) => hub.journal.list(name, limit),
    'action:run': ({ planId, confirm }) => actions.run(planId, confirm),
    'action:cancel': async ({ planId }) => ({ cancelled: actions.cancel(planId) }),
    'audit:list': ({ limit }) => hub.audit.list(limit),
    'findings:env': ({ name }) => environmentFindings(hub, name),

    'alerts:list': async ({ name }) => ({ active: hub.alerts.active(name), recent: hub.alerts.recent(name) }),
    'alerts:ack': async ({ name, key, note }) => hub.alerts.update(name, key, (a) => ({ ...a, ack: { at: Date.now(), note } })),
    'alerts:silence': async ({ name, key, untilMs, note }) =>
      hub.alerts.update(name, key, (a) => ({ ...a, silencedUntil: untilMs, silenceNote: note || null })),
    'alerts:rules': ({ name }) => hub.alerts.rulesYaml(name),
    'alerts:save-rules': async ({ name, yaml }) => ({ rules: await hub.alerts.saveRules(name, yaml) }),
    'alerts:watch': async (_input, client) => {
      if (!alertWatchers.has(client.id)) {
        alertWatchers.add(client.id)
        const off = environmentWatch(hub).watch((a) => client.emit('alerts:changed', a))
        client.onClose(() => {
          alertWatchers.delete(client.id)
          off()
        })
      }
      return {}
    },

    'timeline:list': async ({ name, from, to }) => ({ entries: hub.timeline.list(name, from, to) }),
    'timeline:metrics': async ({ name, from, to }) => ({ series: await environmentMoments(hub, name, from, to) }),
    'incident:list': async ({ name }) => ({ incidents: hub.timeline.incidents(name) }),
    'incident:start': async ({ name, title, from }) => hub.timeline.startIncident(name, title, from ?? Date.now(), currentUser()),
    'incident:close': async ({ name, id }) => hub.timeline.closeIncident(name, id),
    'incident:report': ({ name, from, to, title }) => incidentReport(hub, name, from, to, title),

    'procedures:list': async () => ({ procedures: await procedures.library.list() }),
    'procedures:validate': async ({ yaml }) => ({ errors: procedures.library.validate(yaml) }),
    'procedures:save': ({ yaml }) => procedures.library.save(yaml),
    'procedures:runs': async ({ name }) => ({ runs: hub.runs.list(name) }),
    'procedures:start': async ({ name, procedure, params }) => {
      const run = await procedures.start(name, procedure, params)
      return carryOn({ run, finished: procedures.advance(run.id) })
    },
    'procedures:resume': async ({ runId }) => carryOn(procedures.resume(runId)),
    'procedures:pause': async ({ runId }) => procedures.pause(runId),
    'procedures:abort': async ({ runId, note }) => procedures.abort(runId, note),
    'procedures:confirm': async ({ runId, confirm }) => carryOn(procedures.confirm(runId, confirm)),
    'procedures:tick': async ({ runId, note }) => carryOn(procedures.tick(runId, note)),
    'procedures:skip': async ({ runId, note }) => carryOn(procedures.skip(runId, note)),
    'procedures:report': async ({ runId }) => procedureReport(hub, hub.runs.get(runId)),
    'procedures:watch': async (_input, client) => {
      if (!runWatchers.has(client.id)) {
        runWatchers.add(client.id)
        const off = procedures.subscribe((run) => client.emit('procedures:changed', run))
        client.onClose(() => {
          runWatchers.delete(client.id)
          off()
        })
      }
      return {}
    },
  }
  const missing = (Object.keys(requests) as RequestChannel[]).filter((c) => !handlers[c])
  if (missing.length) throw new Error(`no handler for ${missing.join(', ')}`)
  return handlers as Handlers
}
