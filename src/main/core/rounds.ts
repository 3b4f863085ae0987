import type { ServiceHub } from './service-hub'

/**
 * A round over environments every intervalMs, the first at once, until the returned stop is
 * called: the given environments, or every one in the inventory at each round. A round still
 * running when the next is due makes that one skip; one environment's failure does not stop the others.
 */
export function roundsEvery(
  hub: Pick<ServiceHub, 'inventory'>,
  opts: { environments?: readonly string[]; intervalMs: number },
  round: (environment: string) => Promise<unknown>,
): () => void {
  let running = false
  const names = async () => opts.environments ?? (await hub.inventory.list()).map((v) => v.environment.name)
  const tick = async () => {
    if (running) return
    running = true
    try {
      for (const name of await names()) await round(name).catch(() => undefined)
    } finally {
      running = false
    }
  }
  const timer = setInterval(() => void tick(), opts.intervalMs).unref()
  void tick()
  return () => clearInterval(timer)
}
