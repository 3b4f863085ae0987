import { SwitchyardError } from './errors'

/** Wait ms, or reject as "cancelled" as soon as the signal aborts; the abort listener never outlives the wait. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(new SwitchyardError('other', 'cancelled'))
      return
    }
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

/** Poll until check() returns a value (not undefined) or the deadline passes; the last reason goes into the error. */
export async function pollUntil<T>(
  what: string,
  timeoutMs: number,
  check: () => Promise<{ done: T } | { waiting: string }>,
  intervalMs = 250,
  signal?: AbortSignal,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last: string
  for (;;) {
    try {
      const r = await check()
      if ('done' in r) return r.done
      last = r.waiting
    } catch (err) {
      last = err instanceof Error ? err.message : String(err)
    }
    if (Date.now() >= deadline) throw new SwitchyardError('timeout', `${what}: not done after ${Math.round(timeoutMs / 1000)} s (${last})`)
    await sleep(intervalMs, signal)
  }
}
