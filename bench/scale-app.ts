/**
 * Scaling the app tier on the lab (npm run bench:scale) under a request loop through nginx: the
 * Compose-labelled service 3 → 5 → 3 and the Swarm service 2 → 4 → 2 with Switchyard's app.scale,
 * and, as the peer in the same run, the Swarm service scaled the way the seeds do it by hand:
 * `docker service scale`, then the upstream edited and nginx reloaded. Seconds are from the
 * confirmation to every new replica serving (the action's run and verification); failed requests
 * are non-2xx replies or socket errors seen by the loop. Last lines:
 *   scale: kind=compose replicas=3->5 seconds=N failed_requests=0   (and 5->3, then swarm 2->4, 4->2)
 */
import { execFile } from 'node:child_process'
import { readFile, writeFile } from 'node:fs/promises'
import { promisify } from 'node:util'
import { createActionRunner } from '../src/main/features/actions/runner'
import type { ServiceHub } from '../src/main/core/service-hub'
import { labHub } from '../test/support/lab'
import { loadLoop, type LoadResult } from '../test/support/load-loop'
import { planAndRun } from '../test/support/plan-and-run'

const CONCURRENCY = 4
/** The loop asks for a reply held 20 ms, so requests are in flight whenever a replica leaves. */
const REQUEST_PATH = '/?ms=20'

interface Measured {
  kind: 'compose' | 'swarm'
  from: number
  to: number
  seconds: number
  load: LoadResult
}

async function underLoad(listen: string, work: () => Promise<number>): Promise<{ seconds: number; load: LoadResult }> {
  const loop = loadLoop(`http://${listen}${REQUEST_PATH}`, { concurrency: CONCURRENCY, maxMs: 150_000 })
  await new Promise((r) => setTimeout(r, 1000))
  try {
    const seconds = await work()
    await new Promise((r) => setTimeout(r, 1000))
    return { seconds, load: await loop.stop() }
  } finally {
    await loop.stop()
  }
}

function withSwitchyard(hub: ServiceHub, upstream: string) {
  const runner = createActionRunner(hub)
  return async (replicas: number): Promise<number> => {
    const { result } = await planAndRun(runner, { environment: 'lab', endpointId: 'nginx', kind: 'app.scale', upstream, replicas })
    if (result.outcome !== 'succeeded') throw new Error(`scale to ${replicas}: ${result.message}`)
    return result.durationMs / 1000
  }
}

/** The by-hand way: scale the Swarm service, then rewrite the upstream and reload nginx. */
function byHand(labDir: string, socket: string, portBase: number) {
  const upstreamFile = `${labDir}/nginx/upstream.conf`
  const run = promisify(execFile)
  return async (replicas: number): Promise<number> => {
    const t0 = performance.now()
    await run('docker', ['-H', `unix://${socket}`, 'service', 'scale', `app_api=${replicas}`])
    const servers = Array.from({ length: replicas }, (_, i) => `    server 127.0.0.1:${portBase + i + 1} max_fails=3 fail_timeout=30s;\n`).join('')
    const text = (await readFile(upstreamFile, 'utf8')).replace(/(upstream swarm_app \{\n\s*least_conn;\n)(?:\s*server [^\n]*\n)*/, `$1${servers}`)
    await writeFile(upstreamFile, text)
    await run('nginx', ['-c', `${labDir}/nginx/nginx.conf`, '-p', `${labDir}/nginx/`, '-s', 'reload'])
    return (performance.now() - t0) / 1000
  }
}

async function main(): Promise<number> {
  const { hub, lab } = await labHub()
  const results: Measured[] = []
  const peer: Measured[] = []
  try {
    const compose = withSwitchyard(hub, 'app')
    const swarm = withSwitchyard(hub, 'swarm_app')
    const hand = byHand(lab.labDir, lab.docker.socketPath, lab.docker.swarm.portBase)
    const n = lab.docker.containers.length
    const s = lab.docker.swarm.replicas
    for (const [from, to] of [
      [n, n + 2],
      [n + 2, n],
    ] as const)
      results.push({ kind: 'compose', from, to, ...(await underLoad(lab.nginx.listen, () => compose(to))) })
    for (const [from, to] of [
      [s, s + 2],
      [s + 2, s],
    ] as const) {
      results.push({ kind: 'swarm', from, to, ...(await underLoad(lab.nginx.swarmListen, () => swarm(to))) })
      peer.push({ kind: 'swarm', from, to, ...(await underLoad(lab.nginx.swarmListen, () => hand(to))) })
    }
  } finally {
    await hub.close()
  }
  for (const p of peer) {
    const ours = results.find((r) => r.kind === p.kind && r.from === p.from && r.to === p.to)!
    console.log(
      `peer (docker service scale, then edit upstream + nginx -s reload): kind=${p.kind} replicas=${p.from}->${p.to} seconds=${p.seconds.toFixed(1)} failed_requests=${p.load.failed} of ${p.load.requests}; switchyard ${ours.seconds.toFixed(1)} s, ${ours.load.failed} failed of ${ours.load.requests}, time ratio=${(ours.seconds / p.seconds).toFixed(2)}`,
    )
  }
  for (const r of results) console.log(`scale: kind=${r.kind} replicas=${r.from}->${r.to} seconds=${r.seconds.toFixed(1)} failed_requests=${r.load.failed}`)
  return results.some((r) => r.load.failed > 0) ? 1 : 0
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err)
    process.exit(1)
  },
)
