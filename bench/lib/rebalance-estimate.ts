/**
 * How well a rebalance plan predicts its own duration and bytes. On a fresh loaded 3-master
 * cluster of its own, four rebalances run through the action runner one after another (weights
 * 3:1:1, even, 1:3:1, even): the first is predicted from the calibration alone, each later one from
 * the cluster's earlier runs in the journal. The bytes predicted for the master that takes the
 * most are set against what its used_memory grew by.
 *
 *   BENCH_KEYS       keys to load (default 400000), 100-byte values spread over all slots
 *   BENCH_PORT_BASE  first of three free ports (default 7300; the bench refuses ports in use)
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { join } from 'node:path'
import { KeyFileCipher } from '../../src/main/core/inventory/secret-cipher'
import { ServiceHub } from '../../src/main/core/service-hub'
import { createActionRunner } from '../../src/main/features/actions/runner'
import type { ActionRequest } from '../../src/shared/action-requests'
import { RedisRebalanceRequest } from '../../src/shared/systems/redis'
import { errorPct } from '../../src/shared/domain/run-estimate'
import { formatBytes } from '../../src/shared/domain/units'
import { freshCluster, loadEvenCluster } from './redis-cluster'
import { stopNode, type LocalNode } from './redis-nodes'

const KEYS = Number(process.env.BENCH_KEYS ?? 400_000)
const BASE = Number(process.env.BENCH_PORT_BASE ?? 7300)
const PORTS = [BASE, BASE + 1, BASE + 2]
const HOST = '127.0.0.1'

const rebalance = (weights: Record<string, number>): ActionRequest =>
  RedisRebalanceRequest.parse({ kind: 'redis.rebalance', environment: 'bench', endpointId: 'redis', weights, useEmptyMasters: false })

function usedMemory(): number[] {
  return PORTS.map((p) => Number(/used_memory:(\d+)/.exec(execFileSync('redis-cli', ['-p', String(p), 'INFO', 'memory'], { encoding: 'utf8' }))![1]))
}

/**
 * Runs the rounds in `baseDir` (nodes stopped before it returns or throws) and returns the last
 * round's line: `estimate: rebalance predicted_s=N actual_s=N error_pct=N`.
 */
export async function rebalanceEstimate(baseDir: string, log: (m: string) => void): Promise<string> {
  log(`rebalance estimate: ${KEYS} keys, ports ${PORTS.join(',')}`)
  let nodes: LocalNode[] = []
  const dataDir = mkdtempSync(join(baseDir, 'data-'))
  const hub = new ServiceHub({ dataDir, cipher: new KeyFileCipher(dataDir) })
  try {
    nodes = await freshCluster(baseDir, PORTS, 3)
    await loadEvenCluster(PORTS, 3, KEYS, 'est', (i) => `v${i}:`.padEnd(100, 'x'))
    await hub.inventory.save(
      { name: 'bench', endpoints: [{ kind: 'redis-cluster', id: 'redis', name: 'bench', seeds: [{ host: HOST, port: BASE }], tls: false }] },
      {},
    )
    const runner = createActionRunner(hub)
    const rounds = [{ [`${HOST}:${PORTS[0]}`]: 3 }, {}, { [`${HOST}:${PORTS[1]}`]: 3 }, {}]
    let line = ''
    for (const [i, weights] of rounds.entries()) {
      const plan = await runner.plan(rebalance(weights))
      if (!plan.runnable) throw new Error(`round ${i + 1} not runnable: ${plan.prechecks.map((c) => `${c.name}: ${c.detail}`).join('; ')}`)
      const before = usedMemory()
      const result = await runner.run(plan.planId, plan.target)
      if (result.outcome !== 'succeeded') throw new Error(`round ${i + 1} ${result.outcome}: ${result.message}`)
      const grew = usedMemory().reduce((a, m, j) => a + Math.max(0, m - before[j]!), 0)
      const check = result.checked.find((c) => c.metric === 'duration')
      if (!check) throw new Error(`round ${i + 1} kept no prediction`)
      const bytes = plan.estimate?.load.bytes ?? 0
      line = `estimate: rebalance predicted_s=${check.predicted.toFixed(2)} actual_s=${check.actual.toFixed(2)} error_pct=${errorPct(check).toFixed(1)}`
      log(
        `round ${i + 1}: ${plan.estimate?.load.keys ?? 0} keys, ${formatBytes(bytes)} predicted, the receiving masters grew ${formatBytes(grew)} (${(((grew - bytes) / grew) * 100).toFixed(1)} %); ${plan.estimate?.basis}: ${line}`,
      )
    }
    return line
  } finally {
    await hub.close()
    for (const n of nodes) stopNode(n)
  }
}
