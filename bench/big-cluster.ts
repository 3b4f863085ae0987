// A 120-node Redis Cluster (npm run lab:big): one Switchyard poll (CLUSTER NODES, CLUSTER INFO and
// INFO from every node) against `redis-cli --cluster check` on the same cluster in the same run,
// in wall time and bytes read from the nodes; then the web mode's time from the start of a poll
// to the painted Redis view. Needs the app built: npm run build && npm run bench:big
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readTopology } from '../src/main/systems/redis/redis-watch'
import { bigCluster, bigHub } from '../test/support/big-cluster'
import { startWebApp } from '../test/support/web-app'
import { median, timeRuns } from './lib/processes'

const RUNS = 20
const PAINTS = 10

/** Bytes this process has read from its sockets so far (the pooled connections to the nodes). */
function socketBytesRead(): number {
  const handles = (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles()
  return handles.filter((h): h is Socket => h instanceof Socket).reduce((n, s) => n + s.bytesRead, 0)
}

/** Bytes redis-cli read from its TCP sockets in one run, counted by strace. */
function redisCliBytes(seed: string): number | null {
  if (spawnSync('strace', ['-V']).status !== 0) return null
  const out = join(mkdtempSync(join(tmpdir(), 'switchyard-strace-')), 'trace')
  execFileSync('strace', ['-qq', '-f', '-yy', '-e', 'trace=read,recvfrom', '-e', 'signal=none', '-o', out, 'redis-cli', '--cluster', 'check', seed], {
    stdio: 'ignore',
  })
  return readFileSync(out, 'utf8')
    .split('\n')
    .filter((l) => l.includes('<TCP:'))
    .reduce((n, l) => n + Math.max(0, Number(/= (-?\d+)/.exec(l)?.[1] ?? 0)), 0)
}

/** In the page: for each poll the view commits, the time from the poll's start to the next painted frame. */
const WATCH_PAINTS = `
  window.__paints = []
  new MutationObserver(() => {
    const el = document.querySelector('[data-testid="redis-reason"]')
    if (!el) return
    const polls = el.getAttribute('data-polls')
    if (polls === window.__lastPolls) return
    window.__lastPolls = polls
    const checkedAt = Number(el.getAttribute('data-checked-at'))
    requestAnimationFrame(() => setTimeout(() => window.__paints.push(Date.now() - checkedAt), 0))
  }).observe(document, { subtree: true, attributes: true, childList: true, attributeFilter: ['data-polls'] })
`

declare global {
  interface Window {
    __paints: number[]
  }
}

async function main(): Promise<void> {
  const big = bigCluster(60, 1)
  const { hub } = await bigHub(big)
  try {
    await readTopology(hub, 'big', 'redis') // connections opened
    const bytes0 = socketBytesRead()
    const cpu0 = process.cpuUsage()
    const polls = await timeRuns(RUNS, () => readTopology(hub, 'big', 'redis'))
    const cpu = process.cpuUsage(cpu0)
    const pollKb = (socketBytesRead() - bytes0) / (RUNS + 2) / 1024
    const pollCpu = (cpu.user + cpu.system) / 1000 / (RUNS + 2)
    const checks = await timeRuns(RUNS, async () => execFileSync('redis-cli', ['--cluster', 'check', big.seed], { stdio: 'ignore' }))
    const checkBytes = redisCliBytes(big.seed)
    console.log(`switchyard poll: ${big.nodes} nodes, ${median(polls).toFixed(0)} ms, ${pollKb.toFixed(0)} KiB read, ${pollCpu.toFixed(0)} ms CPU`)
    console.log(`redis-cli --cluster check: ${median(checks).toFixed(0)} ms${checkBytes === null ? '' : `, ${(checkBytes / 1024).toFixed(0)} KiB read`}`)

    const { server, browser } = await startWebApp(hub)
    try {
      const page = await browser.newPage({ viewport: { width: 1440, height: 900 } })
      await page.addInitScript(WATCH_PAINTS)
      await page.goto(server.url)
      await page.getByTestId('nav-redis').click()
      await page.waitForFunction((n) => window.__paints.length >= n, PAINTS + 2, { timeout: 120_000, polling: 500 })
      const paints = (await page.evaluate(() => window.__paints)).slice(2)
      console.log(`web mode: poll start to painted view ${paints.map((p) => p.toFixed(0)).join(', ')} ms`)
      console.log(
        `big-cluster: nodes=${big.nodes} sy_poll_ms_p50=${median(polls).toFixed(0)} sy_poll_kb=${pollKb.toFixed(0)} redis_cli_check_ms_p50=${median(checks).toFixed(0)} redis_cli_check_kb=${checkBytes === null ? 'n/a' : (checkBytes / 1024).toFixed(0)} ratio=${(median(checks) / median(polls)).toFixed(2)} poll_to_paint_ms_p50=${median(paints).toFixed(0)}`,
      )
    } finally {
      await browser.close()
      await server.close()
    }
  } finally {
    await hub.close()
  }
}

await main()
