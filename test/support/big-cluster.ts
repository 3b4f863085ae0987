import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { execFileSync } from 'node:child_process'
import { KeyFileCipher } from '../../src/main/core/inventory/secret-cipher'
import { ServiceHub } from '../../src/main/core/service-hub'
import type { Environment } from '../../src/shared/inventory'
import { LAB_DIR } from './lab'

export interface BigCluster {
  nodes: number
  masters: number
  replicas: number
  seed: string
  ports: number[]
}

const DESCRIPTION = join(LAB_DIR, 'big', 'big.json')
const SCRIPT = new URL('../lab/big.sh', import.meta.url).pathname

/** The large lab cluster (npm run lab:big), started here when it is not up with that shape (then started is true). */
export function bigCluster(masters = 60, replicas = 1): BigCluster & { started: boolean } {
  const before = existsSync(DESCRIPTION)
  execFileSync('bash', [SCRIPT, '--masters', String(masters), '--replicas', String(replicas)], { stdio: 'pipe', timeout: 180_000 })
  if (!existsSync(DESCRIPTION)) throw new Error(`the big cluster is not up (${DESCRIPTION} missing)`)
  const big = JSON.parse(readFileSync(DESCRIPTION, 'utf8')) as BigCluster
  return { ...big, started: !before || big.nodes !== masters * (1 + replicas) }
}

export function stopBigCluster(): void {
  execFileSync('bash', [SCRIPT, '--down'], { stdio: 'pipe', timeout: 60_000 })
}

export function bigEnvironment(big: BigCluster): Environment {
  const [host, port] = big.seed.split(':')
  return {
    name: 'big',
    description: `${big.nodes}-node Redis Cluster on loopback (npm run lab:big)`,
    endpoints: [{ kind: 'redis-cluster', id: 'redis', name: `Redis ${big.nodes} nodes`, seeds: [{ host: host!, port: Number(port) }], tls: false }],
  }
}

/** A fresh data folder and hub holding the environment "big". */
export async function bigHub(big: BigCluster): Promise<{ hub: ServiceHub; dataDir: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'switchyard-big-'))
  const hub = new ServiceHub({ dataDir, cipher: new KeyFileCipher(dataDir) })
  await hub.inventory.save(bigEnvironment(big))
  return { hub, dataDir }
}
