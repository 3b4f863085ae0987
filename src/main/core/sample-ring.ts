/** Recent samples per key (an endpoint's lag over the last hour), oldest dropped past the limit. */
export class SampleRing<T extends { at: number }> {
  private readonly rings = new Map<string, T[]>()

  constructor(private readonly limit: number) {}

  push(key: string, sample: T): void {
    const ring = this.rings.get(key) ?? []
    ring.push(sample)
    if (ring.length > this.limit) ring.splice(0, ring.length - this.limit)
    this.rings.set(key, ring)
  }

  since(key: string, sinceMs: number): T[] {
    return (this.rings.get(key) ?? []).filter((s) => s.at > sinceMs)
  }
}
