/**
 * The autoscaler on the lab (npm run bench:autoscale): for the Compose-labelled service and then
 * the Swarm service, a policy in act mode (CPU up 15 % for 6 s, down 6 % for 10 s, step 2,
 * cooldowns 10 s / 15 s) and a CPU-bound request loop through nginx (GET /work?ms=40). up_s is from
 * the first round that reads the CPU above the threshold to the scale-up's new replicas serving
 * (its action verified); down_s from the load stopping to the scale-down verified; actions counts
 * the scale actions the policy ran; failed requests are non-2xx replies or socket errors of the
 * loops. The lab is left as it was (the policy file emptied, each service at its lab size). Last lines:
 *   autoscale: kind=compose up_s=N down_s=N actions=N failed_requests=0   (then kind=swarm)
 */
import type { ScalingDecision } from '../src/shared/autoscale'
import { createActionRunner } from '../src/main/features/actions/runner'
import { Autoscaler } from '../src/main/features/autoscale/autoscaler'
import { readAppTier } from '../src/main/systems'
import { labHub } from '../test/support/lab'
import { loadLoop } from '../test/support/load-loop'
import { planAndRun } from '../test/support/plan-and-run'
import { LAB_CPU, labPolicies } from '../test/support/autoscale-policies'

const ROUND_MS = 2000

async function main(): Promise<number> {
  const { hub, lab } = await labHub()
  const scaler = new Autoscaler(hub)
  const lines: string[] = []
  const rounds = async (until: (d: ScalingDecision) => boolean, timeoutMs: number, seen: (d: ScalingDecision) => void): Promise<ScalingDecision> => {
    const deadline = Date.now() + timeoutMs
    let last: ScalingDecision | undefined
    while (Date.now() < deadline) {
      for (const d of await scaler.round('lab')) {
        seen(d)
        last = d
        if (until(d)) return d
      }
      await new Promise((r) => setTimeout(r, ROUND_MS))
    }
    throw new Error(`no decision within ${timeoutMs / 1000} s; the last: ${last?.verdict} ${last?.outcome}: ${last?.reason} ${last?.detail ?? ''}`)
  }
  try {
    for (const [kind, upstream, listen, min] of [
      ['compose', 'app', lab.nginx.listen, lab.docker.containers.length],
      ['swarm', 'swarm_app', lab.nginx.swarmListen, lab.docker.swarm.replicas],
    ] as const) {
      await scaler.store.save('lab', labPolicies({ name: 'bench', upstream, min }))
      let actions = 0
      const threshold = { crossedAt: null as number | null }
      const count = (d: ScalingDecision) => {
        if (d.outcome === 'scaled') actions++
        const cpu = d.metrics.find((m) => m.metric === 'cpu')?.value ?? null
        if (threshold.crossedAt === null && cpu !== null && cpu > LAB_CPU.up) threshold.crossedAt = d.at
      }
      const work = loadLoop(`http://${listen}/work?ms=40`, { concurrency: 3, maxMs: 180_000 })
      const up = await rounds((d) => d.outcome === 'scaled' && d.verdict === 'up', 150_000, count).catch(async (err: unknown) => {
        await work.stop()
        throw err
      })
      const loaded = await work.stop()
      const stopped = Date.now()
      const idle = loadLoop(`http://${listen}/?ms=100`, { concurrency: 1, maxMs: 120_000 })
      const down = await rounds((d) => d.outcome === 'scaled' && d.verdict === 'down', 100_000, count).catch(async (err: unknown) => {
        await idle.stop()
        throw err
      })
      const quiet = await idle.stop()
      const failed = loaded.failed + quiet.failed
      if (failed) console.error(`${kind}: ${[...loaded.errors, ...quiet.errors].join('; ')}`)
      lines.push(
        `autoscale: kind=${kind} up_s=${((up.at - (threshold.crossedAt ?? up.at)) / 1000).toFixed(1)} down_s=${((down.at - stopped) / 1000).toFixed(1)} actions=${actions} failed_requests=${failed}`,
      )
    }
  } finally {
    await scaler.store.save('lab', 'policies: []\n')
    const runner = createActionRunner(hub)
    const tier = await readAppTier(hub, 'lab', 'nginx')
    for (const [upstream, replicas] of [
      ['app', lab.docker.containers.length],
      ['swarm_app', lab.docker.swarm.replicas],
    ] as const) {
      const u = tier.upstreams.find((x) => x.name === upstream)
      const running = tier.groups.find((g) => g.key === u?.group)?.replicas.filter((r) => r.running).length
      if (running !== replicas) await planAndRun(runner, { environment: 'lab', endpointId: 'nginx', kind: 'app.scale', upstream, replicas })
    }
    await hub.close()
  }
  for (const l of lines) console.log(l)
  return lines.every((l) => l.endsWith('failed_requests=0')) ? 0 : 1
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err)
    process.exit(1)
  },
)
