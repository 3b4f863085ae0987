import { useEffect, useRef, useState } from 'react'
import { errorText } from '../api'

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
