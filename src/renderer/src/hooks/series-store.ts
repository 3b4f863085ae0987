import { useEffect, useState } from 'react'

/**
 * Recent values per key (ops/s per node) outside React state: a poll appends to every series and
 * repaints only the sparklines that read them, not the rows around them.
 */
export class SeriesStore {
  private readonly series = new Map<string, readonly number[]>()
  private readonly listeners = new Map<string, Set<() => void>>()

  constructor(private readonly keep: number) {}

  /** Start a key with what was recorded before this view opened. */
  seed(key: string, values: readonly number[]): void {
    if (!this.series.has(key)) this.series.set(key, values.slice(-this.keep))
  }

  /** Listeners run synchronously: called inside startTransition, the repaint they cause is one. */
  append(values: Iterable<[string, number]>): void {
    for (const [key, v] of values) {
      this.series.set(key, [...(this.series.get(key) ?? []), v].slice(-this.keep))
      for (const l of this.listeners.get(key) ?? []) l()
    }
  }

  get(key: string): readonly number[] | undefined {
    return this.series.get(key)
  }

  subscribe(key: string, listener: () => void): () => void {
    const set = this.listeners.get(key) ?? new Set()
    set.add(listener)
    this.listeners.set(key, set)
    return () => set.delete(listener)
  }
}

/**
 * One series as state. Not useSyncExternalStore: React renders its updates synchronously, which on
 * a 120-node cluster put every sparkline's repaint into the task that received the poll.
 */
export function useSeries(store: SeriesStore, key: string): readonly number[] | undefined {
  const [values, setValues] = useState(() => store.get(key))
  useEffect(() => {
    const read = () => setValues(store.get(key))
    read()
    return store.subscribe(key, read)
  }, [store, key])
  return values
}
