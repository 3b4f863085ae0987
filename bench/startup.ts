// Web-mode start-up: from navigation to the Overview's first live data, and the JavaScript the
// browser had to load for it. Median of 5 runs, each in a fresh browser context (cold cache).
// Needs the lab up and the app built: npm run lab:up && npm run build && npm run bench:startup
import { labHub } from '../test/support/lab'
import { startWebApp } from '../test/support/web-app'

const RUNS = 5

interface Sample {
  firstDataMs: number
  jsBytes: number
}

declare global {
  interface Window {
    __firstData?: Sample
  }
}

/**
 * Runs in the page before anything else: notes when the first environment card shows live data.
 * A string, not a function: tsx would wrap a function with helpers the page does not have.
 */
const WATCH_FIRST_DATA = `
  new MutationObserver((_records, observer) => {
    if (window.__firstData || !document.querySelector('[data-testid^="env-"][data-status]')) return
    const js = performance.getEntriesByType('resource').filter((e) => e.name.endsWith('.js'))
    window.__firstData = { firstDataMs: performance.now(), jsBytes: js.reduce((n, e) => n + e.decodedBodySize, 0) }
    observer.disconnect()
  }).observe(document, { subtree: true, childList: true, attributes: true })
`

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

async function main(): Promise<void> {
  const { hub } = await labHub()
  const { server, browser } = await startWebApp(hub)
  const samples: Sample[] = []
  try {
    for (let i = 0; i < RUNS; i++) {
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 } })
      const page = await context.newPage()
      await page.addInitScript(WATCH_FIRST_DATA)
      await page.goto(server.url)
      await page.waitForFunction(() => window.__firstData !== undefined, undefined, { timeout: 30_000 })
      const s = (await page.evaluate(() => window.__firstData))!
      console.log(`run ${i + 1}: first data ${Math.round(s.firstDataMs)} ms, ${Math.round(s.jsBytes / 1024)} KiB of JavaScript`)
      samples.push(s)
      await context.close()
    }
  } finally {
    await browser.close()
    await server.close()
    await hub.close()
  }
  console.log(
    `startup: initial_js_kb=${Math.round(median(samples.map((s) => s.jsBytes)) / 1024)} first_data_ms=${Math.round(median(samples.map((s) => s.firstDataMs)))}`,
  )
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
