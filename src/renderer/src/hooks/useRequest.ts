import { useCallback, useEffect, useState } from 'react'
import type { RequestChannel, RequestInput, RequestOutput } from '../../../shared/contract'
import { api, errorText } from '../api'

interface Loaded<T> {
  /** Which request and which reload this answers. */
  key: string
  data?: T
  error?: string
}

/** Load one request's result, with reload and a readable error; the last data stays shown while reloading. */
export function useRequest<C extends RequestChannel>(channel: C, input: RequestInput<C>, deps: unknown[] = []) {
  const [round, setRound] = useState(0)
  const [loaded, setLoaded] = useState<Loaded<RequestOutput<C>>>()
  const key = JSON.stringify([channel, input, deps, round])
  useEffect(() => {
    let live = true
    const [ch, request] = JSON.parse(key) as [C, RequestInput<C>]
    api.request(ch, request).then(
      (data) => live && setLoaded({ key, data }),
      (e: unknown) => live && setLoaded((prev) => ({ key, data: prev?.data, error: errorText(e) })),
    )
    return () => {
      live = false
    }
  }, [key])
  const reload = useCallback(() => setRound((r) => r + 1), [])
  return { data: loaded?.data, error: loaded?.key === key ? loaded.error : undefined, loading: loaded?.key !== key, reload }
}
