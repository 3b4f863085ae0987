/**
 * ECharts work (setOption, resize) for every chart of the page, one chart per frame: a view whose
 * charts all change at once (a history poll, a window resize) spreads them over as many frames
 * instead of holding one frame for all of them. A chart's newer work replaces its older in place.
 */
const pending = new Map<object, () => void>()
let scheduled = false

export function queueChartWork(owner: object, work: () => void): void {
  pending.set(owner, work)
  schedule()
}

export function dropChartWork(owner: object): void {
  pending.delete(owner)
}

function schedule(): void {
  if (scheduled || pending.size === 0) return
  scheduled = true
  // the work runs in a task after the next frame is painted, so each chart's work is a frame of its own
  requestAnimationFrame(() => setTimeout(runOne, 0))
}

function runOne(): void {
  scheduled = false
  const next = pending.entries().next()
  if (!next.done) {
    const [owner, work] = next.value
    pending.delete(owner)
    work()
  }
  schedule()
}
