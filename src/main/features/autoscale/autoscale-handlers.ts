import type { Handlers } from '../../core/handler-types'
import type { ServiceHub } from '../../core/service-hub'
import { toConnError } from '../../core/errors'
import { autoscaleStore } from './autoscale-store'

type AutoscaleHandlers = Pick<Handlers, 'autoscale:status' | 'autoscale:save' | 'autoscale:pause' | 'autoscale:history'>

/** The policies, their pause switch and their decisions, for the app tier's Autoscaling tab. */
export function autoscaleHandlers(hub: ServiceHub): AutoscaleHandlers {
  const store = autoscaleStore(hub)
  return {
    'autoscale:status': async ({ name }) => {
      const { yaml, custom } = await store.yaml(name)
      const paused = store.paused(name)
      try {
        const policies = await store.policies(name)
        return { yaml, custom, paused, policies: policies.map((policy) => ({ policy, last: store.last(name, policy.name) })), error: null }
      } catch (err) {
        // a file edited by hand into something invalid: shown with its problems, nothing acts on it
        return { yaml, custom, paused, policies: [], error: toConnError(err).message }
      }
    },
    'autoscale:save': async ({ name, yaml }) => ({ policies: (await store.save(name, yaml)).length }),
    'autoscale:pause': async ({ name, paused }) => {
      store.setPaused(name, paused)
      return { paused }
    },
    'autoscale:history': async ({ name, policy, sinceMs }) => store.history(name, { policy, sinceMs }),
  }
}
