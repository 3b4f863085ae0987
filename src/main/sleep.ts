import { SwitchyardError } from './errors'

/** Wait ms, or reject as "cancelled" as soon as the signal aborts; the abort listener never outlives the wait. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(new SwitchyardError('other', 'cancelled'))
    const onAbort = () => {
      clearTimeout(t)
      reject(new SwitchyardError('other', 'cancelled'))
    }
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}
