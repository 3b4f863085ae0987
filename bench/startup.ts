// Web-mode start-up: from navigation to the Overview's first live data (a system card with a real
// status), and the JavaScript the browser had to load for it. Median of 5 runs, each in a fresh
// browser context (cold cache); then again with one more endpoint in the lab environment that never
// answers — a listener this bench starts on a free port, which accepts and stays silent.
// Needs the lab up and the app built: npm run lab:up && npm run build && npm run bench:startup
import { createServer, type Socket } from 'node:net'
import type { Browser } from 'playwright-core'
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
    if (window.__firstData || !document.querySelector('[data-testid^="system-"][data-status]:not([data-status="unknown"])')) return
    const js = performance.getEntriesByType('resource').filter((e) => e.name.endsWith('.js'))
    window.__firstData = { firstDataMs: performance.now(), jsBytes: js.reduce((n, e) => n + e.decodedBodySize, 0) }
    observer.disconnect()
  }).observe(document, { subtree: true, childList: true, attributes: true })
`

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

async function measure(browser: Browser, url: string, label: string): Promise<Sample> {
  const samples: Sample[] = []
  for (let i = 0; i < RUNS; i++) {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } })
    const page = await context.newPage()
    await page.addInitScript(WATCH_FIRST_DATA)
    await page.goto(url)
    await page.waitForFunction(() => window.__firstData !== undefined, undefined, { timeout: 30_000 })
    const s = (await page.evaluate(() => window.__firstData))!
    console.log(`${label} run ${i + 1}: first data ${Math.round(s.firstDataMs)} ms, ${Math.round(s.jsBytes / 1024)} KiB of JavaScript`)
    samples.push(s)
    await context.close()
  }
  return { firstDataMs: median(samples.map((s) => s.firstDataMs)), jsBytes: median(samples.map((s) => s.jsBytes)) }
}

async function main(): Promise<void> {
  const { hub, env, lab } = await labHub()
  const { server, browser } = await startWebApp(hub)
  const sockets = new Set<Socket>()
  const silent = createServer((s) => {
    sockets.add(s)
    s.on('error', () => undefined)
  })
  try {
    const healthy = await measure(browser, server.url, 'whole lab')
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    const port = (silent.address() as { port: number }).port
    await hub.inventory.save(
      {
        ...env,
        endpoints: [
          ...env.endpoints,
          { kind: 'ssh', id: 'silent', name: 'silent host', host: '127.0.0.1', port, user: 'root', auth: { method: 'key', keyPath: lab.ssh.keyPath } },
        ],
      },
      {},
      env.name,
    )
    const oneDown = await measure(browser, server.url, 'one endpoint silent')
    console.log(
      `startup: initial_js_kb=${Math.round(healthy.jsBytes / 1024)} first_data_ms=${Math.round(healthy.firstDataMs)} first_data_one_down_ms=${Math.round(oneDown.firstDataMs)}`,
    )
  } finally {
    for (const s of sockets) s.destroy()
    silent.close()
    await browser.close()
    await server.close()
    await hub.close()
  }
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
