/** One frame longer than 50 ms, from Chromium's Long Animation Frames API. */
export interface LongFrame {
  at: number
  ms: number
  /** The part of the frame one task blocked input beyond 50 ms. */
  blockingMs: number
  /** Scripts the page ran in the frame, and style, layout and paint. */
  scriptMs: number
  renderMs: number
  scripts: string[]
}

declare global {
  interface Window {
    __longFrames: LongFrame[]
  }
}

/** An init script (a string: it runs in the page before the app) that records every long frame from page load on. */
export const RECORD_LONG_FRAMES = `
  window.__longFrames = []
  new PerformanceObserver((list) => {
    for (const e of list.getEntries())
      window.__longFrames.push({
        at: e.startTime,
        ms: e.duration,
        blockingMs: e.blockingDuration,
        scriptMs: e.scripts.reduce((n, s) => n + s.duration, 0),
        renderMs: e.renderStart ? e.startTime + e.duration - e.renderStart : 0,
        scripts: e.scripts.map((s) => s.invoker + ' ' + Math.round(s.duration) + ' ms'),
      })
  }).observe({ type: 'long-animation-frame', buffered: true })
`

/** For page.evaluate: the long frames since a performance.now() of the page. */
export const LONG_FRAMES = (since: number): LongFrame[] => window.__longFrames.filter((f) => f.at >= since)
