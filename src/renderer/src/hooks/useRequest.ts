import { useCallback, useEffect, useState } from 'react'
import type { RequestChannel, RequestInput, RequestOutput } from '../../../shared/contract'
import { api, errorText } from '../api'

/** Load one request's result, with reload and a readable error. */
export function useRequest<C extends RequestChannel>(channel: C, input: RequestInput<C>, deps: unknown[] = []) {
  const [data, setData] = useState<RequestOutput<C>>()
  const [error, setError] = useState<string>()
  const [loading, setLoading] = useState(true)
  const key = JSON.stringify(input)
  const reload = useCallback(() => {
    setLoading(true)
    return api
      .request(channel, JSON.parse(key) as RequestInput<C>)
      .then((d) => {
        setData(d)
        setError(undefined)
      })
      .catch((e: unknown) => setError(errorText(e)))
      .finally(() => setLoading(false))
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [channel, key, ...deps])
  useEffect(() => {
    void reload()
  }, [reload])
  return { data, error, loading, reload }
}
