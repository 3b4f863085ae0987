import type { RedisTopology } from '../../../shared/systems/redis'
import type { ClientContext, Handlers } from '../../core/handler-types'
import type { ServiceHub } from '../../core/service-hub'
import { SwitchyardError } from '../../core/errors'
import { migrationStore } from './actions/index'
import { onMigrationProgress } from './migration-events'
import { clusterAccess } from './redis-client'
import { redisHistory } from './redis-history'
import { readTopology, RedisWatcher } from './redis-watch'

export type RedisChannel = 'redis:topology' | 'redis:history' | 'redis:slot-keys' | 'redis:migration-status' | 'redis:watch' | 'redis:unwatch'

/** Handlers for the Redis Cluster views; the actions go through the shared action runner. */
export function redisHandlers(hub: ServiceHub): Pick<Handlers, RedisChannel> {
  const store = migrationStore(hub)
  /** client id → its watchers (one per environment/endpoint) and its migration-progress subscription. */
  const watching = new Map<string, { watchers: Map<string, RedisWatcher>; unsubscribe: () => void }>()
  const recent = new Map<string, RedisTopology>()

  const stateFor = (client: ClientContext) => {
    let s = watching.get(client.id)
    if (!s) {
      const watchers = new Map<string, RedisWatcher>()
      const unsubscribe = onMigrationProgress((p) => {
        if ([...watchers.values()].some((w) => w.environment === p.environment && w.endpointId === p.endpointId)) client.emit('redis:migration-progress', p)
      })
      s = { watchers, unsubscribe }
      watching.set(client.id, s)
      client.onClose(() => stop(client.id))
    }
    return s
  }
  const stop = (clientId: string, environment?: string) => {
    const s = watching.get(clientId)
    if (!s) return
    for (const [key, w] of s.watchers) {
      if (environment && w.environment !== environment) continue
      w.stop()
      s.watchers.delete(key)
    }
    if (s.watchers.size === 0) {
      s.unsubscribe()
      watching.delete(clientId)
    }
  }

  return {
    'redis:topology': async ({ environment, endpointId }) => {
      const t = await readTopology(hub, environment, endpointId)
      recent.set(`${environment}/${endpointId}`, t)
      return t
    },

    'redis:history': async ({ environment, endpointId, sinceMs }) => redisHistory(hub, environment, endpointId, sinceMs),

    'redis:slot-keys': async ({ environment, endpointId, start, end }) => {
      // Hovering the slot map asks often: reuse a snapshot younger than two seconds.
      const key = `${environment}/${endpointId}`
      const cached = recent.get(key)
      const topology = cached && Date.now() - cached.checkedAt < 2000 ? cached : await readTopology(hub, environment, endpointId)
      recent.set(key, topology)
      if (!topology.seed) throw new SwitchyardError(topology.error?.code ?? 'refused', topology.reason)
      const { connections } = await hub.connect(environment)
      const access = clusterAccess(connections, endpointId)
      const addrOf = new Map(topology.nodes.map((n) => [n.id, n.addr]))
      const slots = Array.from({ length: end - start + 1 }, (_, i) => start + i)
      const ranges = topology.slots
      const info = slots.map((slot) => {
        const r = ranges.find((x) => x.start <= slot && x.end >= slot)
        return {
          slot,
          owner: r?.owner ?? null,
          ...(r?.migratingTo ? { migratingTo: r.migratingTo } : {}),
          ...(r?.importingFrom ? { importingFrom: r.importingFrom } : {}),
        }
      })
      // One pipeline of CLUSTER COUNTKEYSINSLOT per owner.
      const byOwner = new Map<string, number[]>()
      for (const s of info) if (s.owner) byOwner.set(s.owner, [...(byOwner.get(s.owner) ?? []), s.slot])
      const counts = new Map<number, number | null>()
      await Promise.all(
        [...byOwner].map(async ([owner, list]) => {
          const addr = addrOf.get(owner)
          if (!addr) return
          try {
            const res = await access.pipeline(
              addr,
              list.map((s) => ['CLUSTER', 'COUNTKEYSINSLOT', s]),
              5000,
            )
            list.forEach((s, i) => counts.set(s, res[i]?.[0] ? null : Number(res[i]?.[1])))
          } catch {
            for (const s of list) counts.set(s, null)
          }
        }),
      )
      return { slots: info.map((s) => ({ ...s, keys: counts.get(s.slot) ?? null })) }
    },

    'redis:migration-status': async ({ environment, endpointId }) => ({ migration: await store.get(environment, endpointId) }),

    'redis:watch': async ({ environment, endpointId, intervalMs }, client) => {
      await hub.inventory.get(environment) // a clear error for an unknown environment
      const s = stateFor(client)
      const key = `${environment}/${endpointId}`
      let w = s.watchers.get(key)
      if (!w) {
        w = new RedisWatcher(hub, environment, endpointId, (u) => client.emit('redis:topology', u))
        s.watchers.set(key, w)
      }
      w.start(intervalMs)
      return { intervalMs }
    },

    'redis:unwatch': async ({ environment }, client) => {
      stop(client.id, environment)
      return {}
    },
  }
}
