import { useSyncExternalStore } from 'react'

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

export function useSeries(store: SeriesStore, key: string): readonly number[] | undefined {
  return useSyncExternalStore(
    (listener) => store.subscribe(key, listener),
    () => store.get(key),
  )
}
