/**
 * npm run bench:estimate — how well a rebalance plan predicts its own duration. On a fresh loaded
 * 3-master cluster of its own, four rebalances run through the action runner one after another
 * (weights 3:1:1, even, 1:3:1, even): the first is predicted from the calibration alone, each later
 * one from the cluster's earlier runs in the journal. Prints each prediction against the run, and
 * last the final run's line.
 *
 *   BENCH_KEYS       keys to load (default 400000), 100-byte values spread over all slots
 *   BENCH_PORT_BASE  first of three free ports (default 7300; the bench refuses ports in use)
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { KeyFileCipher } from '../src/main/core/inventory/secret-cipher'
import { ServiceHub } from '../src/main/core/service-hub'
import { createActionRunner } from '../src/main/features/actions/runner'
import type { ActionRequest } from '../src/shared/action-requests'
import { errorPct } from '../src/shared/domain/run-estimate'
import { freshCluster, loadEvenCluster } from './lib/redis-cluster'
import { stopNode, type LocalNode } from './lib/redis-nodes'

const KEYS = Number(process.env.BENCH_KEYS ?? 400_000)
const BASE = Number(process.env.BENCH_PORT_BASE ?? 7300)
const PORTS = [BASE, BASE + 1, BASE + 2]
const HOST = '127.0.0.1'
const baseDir = mkdtempSync(join(tmpdir(), 'switchyard-bench-estimate-'))
let nodes: LocalNode[] = []

function log(msg: string): void {
  process.stderr.write(`bench: ${msg}\n`)
}

function cleanup(): void {
  for (const n of nodes) stopNode(n)
  nodes = []
  rmSync(baseDir, { recursive: true, force: true })
}
for (const sig of ['SIGINT', 'SIGTERM'] as const)
  process.on(sig, () => {
    cleanup()
    process.exit(130)
  })

const rebalance = (weights: Record<string, number>): ActionRequest => ({
  kind: 'redis.rebalance',
  environment: 'bench',
  endpointId: 'redis',
  weights,
  useEmptyMasters: false,
  thresholdPct: 2,
  concurrency: 3,
  batchKeys: 1000,
})

async function main(): Promise<void> {
  log(`${KEYS} keys, ports ${PORTS.join(',')}, dir ${baseDir}`)
  nodes = await freshCluster(baseDir, PORTS, 3)
  await loadEvenCluster(PORTS, 3, KEYS, 'est', (i) => `v${i}:`.padEnd(100, 'x'))
  const dataDir = mkdtempSync(join(baseDir, 'data-'))
  const hub = new ServiceHub({ dataDir, cipher: new KeyFileCipher(dataDir) })
  const lines: string[] = []
  try {
    await hub.inventory.save(
      { name: 'bench', endpoints: [{ kind: 'redis-cluster', id: 'redis', name: 'bench', seeds: [{ host: HOST, port: BASE }], tls: false }] },
      {},
    )
    const runner = createActionRunner(hub)
    const rounds = [{ [`${HOST}:${PORTS[0]}`]: 3 }, {}, { [`${HOST}:${PORTS[1]}`]: 3 }, {}]
    for (const [i, weights] of rounds.entries()) {
      const plan = await runner.plan(rebalance(weights))
      if (!plan.runnable) throw new Error(`round ${i + 1} not runnable: ${plan.prechecks.map((c) => `${c.name}: ${c.detail}`).join('; ')}`)
      const result = await runner.run(plan.planId, plan.target)
      if (result.outcome !== 'succeeded') throw new Error(`round ${i + 1} ${result.outcome}: ${result.message}`)
      const check = result.checked.find((c) => c.metric === 'duration')
      if (!check) throw new Error(`round ${i + 1} kept no prediction`)
      const keys = plan.estimate?.load.keys ?? 0
      const line = `estimate: rebalance predicted_s=${check.predicted.toFixed(2)} actual_s=${check.actual.toFixed(2)} error_pct=${errorPct(check).toFixed(1)}`
      log(`round ${i + 1}: ${keys} keys, ${plan.estimate?.basis}: ${line}`)
      lines.push(line)
    }
  } finally {
    await hub.close()
  }
  cleanup()
  console.log(lines.at(-1))
}

main()
  .then(() => process.exit(0))
  .catch((err: unknown) => {
    log(`failed: ${err instanceof Error ? err.stack : String(err)}`)
    cleanup()
    process.exit(1)
  })
