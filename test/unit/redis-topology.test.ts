import { describe, expect, it } from 'vitest'
import type { RedisNode } from '../../src/shared/systems/redis'
import { chooseBestReplica, findNode } from '../../src/shared/domain/redis-failover'
import { parseClusterNodes } from '../../src/shared/domain/redis-parse'
import { apportion, planExactLayout, planRebalance } from '../../src/shared/domain/redis-rebalance'
import { buildTopology, topologyEvents, type NodePoll } from '../../src/shared/domain/redis-topology'
import { countSlots, expandRanges } from '../../src/shared/domain/slots'

const id = (c: string) => c.repeat(40)
const [A, B, C, RA, RB, RC] = ['a', 'b', 'c', '1', '2', '3'].map(id) as [string, string, string, string, string, string]

interface Shape {
  hosts?: Record<string, string>
  slots?: Record<string, string>
  extra?: string[]
}

/** CLUSTER NODES of a 3+3 cluster as seen by `me`. */
function nodesText(me: string, shape: Shape = {}): string {
  const host = (n: string, def: string) => shape.hosts?.[n] ?? def
  const slots = (n: string, def: string) => shape.slots?.[n] ?? def
  const lines = [
    `${A} ${host(A, '10.0.0.1')}:7000@17000 master - 0 0 1 connected ${slots(A, '0-5460')}`,
    `${B} ${host(B, '10.0.0.2')}:7001@17001 master - 0 0 2 connected ${slots(B, '5461-10922')}`,
    `${C} ${host(C, '10.0.0.3')}:7002@17002 master - 0 0 3 connected ${slots(C, '10923-16383')}`,
    `${RA} ${host(RA, '10.0.0.2')}:7003@17003 slave ${A} 0 0 1 connected`,
    `${RB} ${host(RB, '10.0.0.3')}:7004@17004 slave ${B} 0 0 2 connected`,
    `${RC} ${host(RC, '10.0.0.1')}:7005@17005 slave ${C} 0 0 3 connected`,
    ...(shape.extra ?? []),
  ]
  return lines.map((l) => (l.startsWith(me) ? l.replace(/ (master|slave)/, ' myself,$1') : l)).join('\n')
}

const info = (role: 'master' | 'slave', offset: number, extra = '') =>
  Object.fromEntries(
    `role:${role}\nused_memory:100\nmaxmemory:0\nmaster_repl_offset:${offset}\nslave_repl_offset:${offset}\nmaster_link_status:up\ndb0:keys=10,expires=0\n${extra}`
      .split('\n')
      .map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1)]),
  )

function polls(shape: Shape = {}, override: Record<string, Partial<NodePoll>> = {}): NodePoll[] {
  const all = [
    [A, '10.0.0.1:7000', 'master', 1000],
    [B, '10.0.0.2:7001', 'master', 1000],
    [C, '10.0.0.3:7002', 'master', 1000],
    [RA, '10.0.0.2:7003', 'slave', 1000],
    [RB, '10.0.0.3:7004', 'slave', 900],
    [RC, '10.0.0.1:7005', 'slave', 1000],
  ] as const
  return all.map(([nid, addr, role, off]) => ({
    addr: (override[nid]?.addr as string) ?? addr.replace(/^10\.0\.0\.\d/, shape.hosts?.[nid] ?? addr.split(':')[0]!),
    nodes: parseClusterNodes(nodesText(nid, shape)),
    info: info(role, off),
    clusterInfo: { cluster_state: 'ok' },
    ...override[nid],
  }))
}

function build(p: NodePoll[], ref = p[0]!.addr) {
  return buildTopology({
    environment: 'e',
    endpointId: 'redis',
    name: 'R',
    referenceAddr: ref,
    polls: p,
    features: { clusterShards: true, atomicMigration: 'none' },
    checkedAt: 1,
    durationMs: 1,
  })
}

describe('topology snapshot', () => {
  it('is ok for a healthy spread-out cluster, with slot map, balance and lag', () => {
    const t = build(polls())
    expect(t.status).toBe('ok')
    expect(t.findings).toEqual([])
    expect(t.slots.map((r) => [r.start, r.end, r.owner])).toEqual([
      [0, 5460, A],
      [5461, 10922, B],
      [10923, 16383, C],
    ])
    expect(t.masters.map((m) => m.slots)).toEqual([5461, 5462, 5461])
    expect(t.masters.every((m) => m.replicas === 1 && m.keys === 10)).toBe(true)
    expect(t.nodes.find((n) => n.id === RB)!.lagBytes).toBe(100)
    expect(t.nodes.find((n) => n.id === RA)!.detail).toMatch(/replica of 10\.0\.0\.1:7000, lag 0 B/)
  })

  it('flags uncovered slots as critical with the fix action', () => {
    const t = build(polls({ slots: { [B]: '5461-10000' } }))
    const f = t.findings.find((x) => x.code === 'uncovered-slots')!
    expect(f.severity).toBe('critical')
    expect(f.message).toMatch(/922 slots have no owner: 10001-10922/)
    expect(f.fix?.kind).toBe('redis.fix')
    expect(t.status).toBe('critical')
    expect(t.slots.find((r) => r.start === 10001)!.owner).toBeNull()
  })

  it("marks open slots from each node's own line", () => {
    const p = polls()
    p[0]!.nodes = parseClusterNodes(nodesText(A).replace('0-5460', `0-5460 [100->-${B}]`))
    p[1]!.nodes = parseClusterNodes(nodesText(B).replace('5461-10922', `5461-10922 [100-<-${A}]`))
    const t = build(p)
    expect(t.findings.find((f) => f.code === 'open-slots')!.message).toMatch(/1 slots are open .*: 100/)
    const r = t.slots.find((x) => x.start === 100)!
    expect(r).toMatchObject({ end: 100, owner: A, migratingTo: B, importingFrom: A })
    expect(t.status).toBe('warn')
  })

  it("reports a master without replica, a replica on its master's host and a single-host cluster", () => {
    const lonely = build(
      polls({ extra: [] })
        .map((p) => ({ ...p, nodes: p.nodes!.filter((n) => n.id !== RC) }))
        .filter((p) => p.nodes.some((n) => n.flags.includes('myself'))),
    )
    expect(lonely.findings.find((f) => f.code === 'master-without-replica')!.nodes).toEqual(['10.0.0.3:7002'])
    const same = build(polls({ hosts: { [RA]: '10.0.0.1' } }))
    expect(same.findings.find((f) => f.code === 'replica-same-host')!.nodes).toEqual(['10.0.0.1:7000', '10.0.0.1:7003'])
    const hosts = Object.fromEntries([A, B, C, RA, RB, RC].map((n) => [n, '127.0.0.1']))
    const single = build(polls({ hosts }), '127.0.0.1:7000')
    expect(single.findings.map((f) => f.code)).toEqual(['single-host'])
    expect(single.status).toBe('ok')
  })

  it('shows a node down mid-poll as an error on that node only', () => {
    const p = polls()
    p[4] = { addr: p[4]!.addr, error: { code: 'timeout', message: 'INFO timed out' } }
    const t = build(p)
    const n = t.nodes.find((x) => x.id === RB)!
    expect(n.error?.code).toBe('timeout')
    expect(n.stats).toBeNull()
    expect(n.status).toBe('warn')
    expect(t.nodes.filter((x) => x.stats)).toHaveLength(5)
    expect(t.findings.map((f) => f.code)).toEqual(['unreachable'])
    expect(t.status).toBe('warn')
  })

  it('grades memory against maxmemory at 80% and 90%', () => {
    const p = polls()
    p[1]!.info = { ...p[1]!.info!, used_memory: '85', maxmemory: '100' }
    p[2]!.info = { ...p[2]!.info!, used_memory: '95', maxmemory: '100' }
    const t = build(p)
    const mem = t.findings.filter((f) => f.code === 'memory')
    expect(mem.map((f) => f.severity)).toEqual(['warn', 'critical'])
    expect(t.status).toBe('critical')
  })

  it('notices nodes that disagree on the slot map or a config epoch', () => {
    const p = polls()
    p[2]!.nodes = parseClusterNodes(nodesText(C, { slots: { [A]: '0-5000', [B]: '5001-10922' } }))
    p[3]!.nodes = parseClusterNodes(nodesText(RA).replace(`${B} 10.0.0.2:7001@17001 master - 0 0 2`, `${B} 10.0.0.2:7001@17001 master - 0 0 9`))
    const t = build(p)
    expect(t.findings.find((f) => f.code === 'config-disagreement')!.nodes).toEqual(['10.0.0.3:7002', '10.0.0.2:7003'])
  })

  it('reports failed and suspected nodes and an empty master', () => {
    const p = polls({ extra: [`${id('9')} 10.0.0.4:7006@17006 master - 0 0 0 connected`] })
    p[0]!.nodes = parseClusterNodes(
      nodesText(A, { extra: [`${id('9')} 10.0.0.4:7006@17006 master - 0 0 0 connected`] })
        .replace(`${RB} 10.0.0.3:7004@17004 slave`, `${RB} 10.0.0.3:7004@17004 slave,fail`)
        .replace(`${C} 10.0.0.3:7002@17002 master`, `${C} 10.0.0.3:7002@17002 master,fail?`),
    )
    p.push({
      addr: '10.0.0.4:7006',
      nodes: parseClusterNodes(nodesText(id('9'), { extra: [`${id('9')} 10.0.0.4:7006@17006 master - 0 0 0 connected`] })),
      info: info('master', 0),
      clusterInfo: { cluster_state: 'ok' },
    })
    const t = build(p)
    const codes = t.findings.map((f) => `${f.code}:${f.severity}`)
    expect(codes).toContain('node-failed:warn')
    expect(codes).toContain('node-pfail:warn')
    expect(codes).toContain('empty-master:warn')
    expect(t.masters.find((m) => m.slots === 0)!.imbalancePct).toBe(-100)
  })

  it('is critical and unknown-free when no seed answers', () => {
    const t = buildTopology({
      environment: 'e',
      endpointId: 'r',
      name: 'R',
      referenceAddr: null,
      polls: [{ addr: 'x:1', error: { code: 'refused', message: 'connection refused' } }],
      features: { clusterShards: false, atomicMigration: 'none' },
      checkedAt: 1,
      durationMs: 1,
    })
    expect(t.status).toBe('critical')
    expect(t.reason).toMatch(/no seed node answered: connection refused/)
  })
})

describe('timeline', () => {
  it('turns two snapshots into failover events', () => {
    const before = build(polls())
    const p = polls()
    const after = build(
      p
        .map((x) => ({
          ...x,
          nodes: parseClusterNodes(
            (x.nodes!.find((n) => n.flags.includes('myself'))?.id === A ? nodesText(RA) : nodesText(x.nodes!.find((n) => n.flags.includes('myself'))!.id))
              .replace(`${A} 10.0.0.1:7000@17000 master - 0 0 1 connected 0-5460`, `${A} 10.0.0.1:7000@17000 master,fail - 0 0 1 disconnected`)
              .replace(`${A} 10.0.0.1:7000@17000 myself,master - 0 0 1 connected 0-5460`, `${A} 10.0.0.1:7000@17000 master,fail - 0 0 1 disconnected`)
              .replace(
                new RegExp(`${RA} 10\\.0\\.0\\.2:7003@17003 (myself,)?slave ${A} 0 0 1 connected`),
                (_m, me) => `${RA} 10.0.0.2:7003@17003 ${me ?? ''}master - 0 0 4 connected 0-5460`,
              ),
          ),
        }))
        .map((x, i) => (i === 0 ? { addr: x.addr, error: { code: 'refused' as const, message: 'refused' } } : x)),
      '10.0.0.2:7001',
    )
    const kinds = topologyEvents(before, after).map((e) => `${e.kind}:${e.node ?? ''}`)
    expect(kinds).toContain('node-failed:10.0.0.1:7000')
    expect(kinds).toContain('promoted:10.0.0.2:7003')
    expect(kinds).toContain('unreachable:10.0.0.1:7000')
    expect(topologyEvents(undefined, after)).toEqual([])
  })
})

describe('best replica', () => {
  const node = (over: Partial<RedisNode>): RedisNode => ({
    id: id('x'),
    host: 'h',
    port: 1,
    cport: 0,
    addr: 'h:1',
    flags: ['slave'],
    role: 'replica',
    masterId: A,
    pingSentMs: 0,
    pongRecvMs: 0,
    configEpoch: 0,
    linkState: 'connected',
    slots: [],
    migrating: [],
    importing: [],
    lagBytes: 0,
    status: 'ok',
    detail: '',
    stats: { masterLinkStatus: 'up', replOffset: 0 } as RedisNode['stats'],
    ...over,
  })

  it('prefers link up, then smallest lag, and skips failed or unreachable replicas', () => {
    const nodes = [
      node({ id: id('1'), addr: 'h:1', lagBytes: 500 }),
      node({ id: id('2'), addr: 'h:2', lagBytes: 10 }),
      node({ id: id('3'), addr: 'h:3', lagBytes: 0, flags: ['slave', 'fail'] }),
      node({ id: id('4'), addr: 'h:4', lagBytes: 0, error: { code: 'timeout', message: 't' } }),
      node({ id: id('5'), addr: 'h:5', lagBytes: 0, stats: { masterLinkStatus: 'down', replOffset: 0 } as RedisNode['stats'] }),
    ]
    const c = chooseBestReplica(nodes, A)
    expect(c.replica?.addr).toBe('h:2')
    expect(c.reason).toMatch(/best of 5 replicas: link up, lag 10 bytes/)
    expect(chooseBestReplica(nodes, B).replica).toBeUndefined()
    expect(chooseBestReplica([nodes[2]!], A).reason).toMatch(/none of the 1 replica/)
  })

  it('finds nodes by id, unique id prefix or host:port', () => {
    const nodes = [node({ id: id('1'), addr: '10.0.0.1:7000', host: '10.0.0.1', port: 7000 })]
    expect(findNode(nodes, id('1'))).toBe(nodes[0])
    expect(findNode(nodes, '11111111')).toBe(nodes[0])
    expect(findNode(nodes, '10.0.0.1:7000')).toBe(nodes[0])
    expect(findNode(nodes, '10.0.0.1:7001')).toBeUndefined()
  })
})

describe('rebalance planning', () => {
  const m = (id_: string, ranges: [number, number][], weight = 1) => ({ id: id_, addr: id_, ranges: ranges.map(([start, end]) => ({ start, end })), weight })

  it('apportions exactly 16384 slots by weight', () => {
    expect(apportion([1, 1, 1])).toEqual([5462, 5461, 5461])
    expect(apportion([1, 1, 1, 1])).toEqual([4096, 4096, 4096, 4096])
    expect(apportion([2, 1, 0])).toEqual([10923, 5461, 0])
  })

  it('moves slots onto an empty master by ranges, from the end of each giver', () => {
    const plan = planRebalance([m('a', [[0, 5460]]), m('b', [[5461, 10922]]), m('c', [[10923, 16383]]), m('d', [])], { useEmptyMasters: true, thresholdPct: 2 })
    expect(plan.slotsToMove).toBe(4096)
    expect(plan.moves.every((x) => x.target === 'd')).toBe(true)
    expect(plan.moves.map((x) => x.ranges)).toEqual([[{ start: 9557, end: 10922 }], [{ start: 4096, end: 5460 }], [{ start: 15019, end: 16383 }]])
    expect(Object.values(plan.expected)).toEqual([4096, 4096, 4096, 4096])
  })

  it('leaves empty masters alone unless asked, and skips a balanced cluster', () => {
    expect(planRebalance([m('a', [[0, 8191]]), m('b', [[8192, 16383]]), m('d', [])], { useEmptyMasters: false, thresholdPct: 2 }).skipped).toMatch(/within 2%/)
    expect(planRebalance([m('a', [[0, 8000]]), m('b', [[8001, 16383]])], { useEmptyMasters: true, thresholdPct: 5 }).moves).toEqual([])
  })

  it('drains a master with weight 0 and honours weights', () => {
    const drain = planRebalance([m('a', [[0, 5460]]), m('b', [[5461, 10922]]), m('c', [[10923, 16383]], 0)], { useEmptyMasters: true, thresholdPct: 2 })
    expect(drain.moves.every((x) => x.source === 'c')).toBe(true)
    expect(drain.slotsToMove).toBe(5461)
    expect(drain.expected).toEqual({ a: 8192, b: 8192, c: 0 })
    const weighted = planRebalance([m('a', [[0, 8191]], 3), m('b', [[8192, 16383]], 1)], { useEmptyMasters: true, thresholdPct: 2 })
    expect(weighted.expected).toEqual({ a: 12288, b: 4096 })
    expect(weighted.moves).toEqual([{ source: 'b', target: 'a', ranges: [{ start: 12288, end: 16383 }] }])
  })

  it('refuses while slots are uncovered', () => {
    expect(planRebalance([m('a', [[0, 100]])], { useEmptyMasters: true, thresholdPct: 2 }).skipped).toMatch(/fix the uncovered slots/)
  })

  it('plans moves to an exact layout', () => {
    const moves = planExactLayout(
      [
        { id: 'a', ranges: [{ start: 0, end: 10 }] },
        { id: 'b', ranges: [{ start: 11, end: 20 }] },
      ],
      { a: [{ start: 0, end: 5 }], b: [{ start: 6, end: 20 }] },
    )
    expect(moves).toEqual([{ source: 'a', target: 'b', ranges: [{ start: 6, end: 10 }] }])
    expect(countSlots(moves[0]!.ranges)).toBe(5)
    expect(expandRanges(moves[0]!.ranges)).toEqual([6, 7, 8, 9, 10])
  })
})
