import { Redis } from 'ioredis'
import { keySlot } from '../../src/shared/domain/slots'
import { assertPortsFree, startNode, stopNode, waitPing, type LocalNode } from './redis-nodes'

const HOST = '127.0.0.1'

function client(port: number): Redis {
  const c = new Redis({ host: HOST, port, maxRetriesPerRequest: 1, retryStrategy: () => null })
  c.on('error', () => undefined)
  return c
}

/** The even share of 16384 slots for each of n masters, as inclusive ranges. */
export function evenRanges(n: number): [number, number][] {
  return Array.from({ length: n }, (_, i) => [Math.floor((i * 16384) / n), Math.floor(((i + 1) * 16384) / n) - 1])
}

/**
 * Fresh nodes on ports the caller checked: the first `masters` share the slots evenly, the rest are
 * empty masters; all have met and agree. Returns the nodes so the caller stops them.
 */
export async function freshCluster(baseDir: string, ports: readonly number[], masters: number): Promise<LocalNode[]> {
  await assertPortsFree([...ports, ...ports.map((p) => p + 10_000)])
  const nodes = ports.map((p) => startNode(baseDir, p))
  await Promise.all(ports.map((p) => waitPing(p)))
  const cs = ports.map(client)
  try {
    await Promise.all(evenRanges(masters).map(([a, b], i) => cs[i]!.call('CLUSTER', 'ADDSLOTSRANGE', a, b)))
    for (const c of cs.slice(1)) await c.call('CLUSTER', 'MEET', HOST, ports[0]!)
    const deadline = Date.now() + 30_000
    for (;;) {
      const infos = await Promise.all(cs.map((c) => c.call('CLUSTER', 'INFO').then(String)))
      const ok = infos.every((i) => /cluster_state:ok/.test(i) && new RegExp(`cluster_known_nodes:${ports.length}\\b`).test(i))
      const nodesText = await Promise.all(cs.map((c) => c.call('CLUSTER', 'NODES').then(String)))
      if (ok && nodesText.every((t) => !/handshake|noaddr|fail/.test(t))) break
      if (Date.now() > deadline) {
        for (const n of nodes) stopNode(n)
        throw new Error('bench cluster did not converge')
      }
      await new Promise((r) => setTimeout(r, 200))
    }
  } finally {
    for (const c of cs) c.disconnect()
  }
  return nodes
}

/** Load keys prefix:0 … prefix:n-1 with value(i) straight into the masters that own them (even ranges), pipelined per node. */
export async function loadEvenCluster(ports: readonly number[], masters: number, n: number, prefix: string, value: (i: number) => string): Promise<void> {
  const ranges = evenRanges(masters)
  const owner = (slot: number) => ranges.findIndex(([, b]) => slot <= b)
  const cs = ports.slice(0, masters).map(client)
  const CHUNK = 20_000
  try {
    for (let from = 0; from < n; from += CHUNK) {
      const pipes = cs.map((c) => c.pipeline())
      for (let i = from; i < Math.min(n, from + CHUNK); i++) {
        const key = `${prefix}:${i}`
        pipes[owner(keySlot(key))]!.set(key, value(i))
      }
      await Promise.all(pipes.map((p) => p.exec()))
    }
  } finally {
    for (const c of cs) c.disconnect()
  }
}
