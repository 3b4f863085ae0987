import { useEffect, useRef, useState } from 'react'
import type { RequestInput, RequestOutput } from '../../../shared/contract'
import { api, errorText } from '../api'

/**
 * Load a value now and again every intervalMs after each load ends (never two in flight), while
 * `key` stays the same; a new key starts over from nothing. Undefined key: nothing to poll.
 */
export function usePolling<T>(key: string | undefined, load: () => Promise<T>, intervalMs: number) {
  // Data carries the key it was loaded for, so a new key shows nothing until its own first load.
  const [loaded, setLoaded] = useState<{ key: string; value: T }>()
  const [error, setError] = useState<string>()
  const loader = useRef(load)
  useEffect(() => {
    loader.current = load
  }, [load])
  useEffect(() => {
    if (key === undefined) return
    let stopped = false
    let timer: ReturnType<typeof setTimeout>
    const poll = async () => {
      try {
        const value = await loader.current()
        if (stopped) return
        setLoaded({ key, value })
        setError(undefined)
      } catch (e) {
        if (!stopped) setError(errorText(e))
      }
      if (!stopped) timer = setTimeout(() => void poll(), intervalMs)
    }
    void poll()
    return () => {
      stopped = true
      clearTimeout(timer)
    }
  }, [key, intervalMs])
  return { data: loaded && loaded.key === key ? loaded.value : undefined, error, setError }
}

/** The endpoint a system page polls, as its requests name it. */
export interface EndpointTarget {
  name: string
  endpointId: string
}

/**
 * A system page's poll: the chosen endpoint's view, reloaded every intervalMs, starting over when
 * another endpoint is chosen. Nothing chosen: nothing polled.
 */
export function useEndpointPolling<T>(
  choice: { environment: string; endpointId: string } | undefined,
  load: (target: EndpointTarget) => Promise<T>,
  intervalMs: number,
) {
  return usePolling(
    choice && `${choice.environment}/${choice.endpointId}`,
    () => load({ name: choice!.environment, endpointId: choice!.endpointId }),
    intervalMs,
  )
}

type SnapshotChannel = 'pg:topology' | 'mongo:cluster' | 'app:tier'
type HistoryChannel = 'pg:lag-history' | 'mongo:lag-history' | 'app:stub-history'

/**
 * A system page's poll of its snapshot, then of the history its charts draw from `since()` on: one
 * round, so the numbers in the tables and the last point of the charts come from the same moment.
 */
export function useSnapshotWithHistory<S extends SnapshotChannel, H extends HistoryChannel>(
  choice: { environment: string; endpointId: string } | undefined,
  channels: { snapshot: S; history: H },
  since: () => number,
  intervalMs: number,
) {
  return useEndpointPolling(
    choice,
    async (target): Promise<{ snapshot: RequestOutput<S> } & RequestOutput<H>> => {
      const snapshot = await api.request(channels.snapshot, target as RequestInput<S>)
      const history = await api.request(channels.history, { ...target, sinceMs: since() } as RequestInput<H>)
      return { snapshot, ...history }
    },
    intervalMs,
  )
}
