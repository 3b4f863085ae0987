import { describe, expect, it } from 'vitest'
import {
  parseAddr,
  parseClusterNodeLine,
  parseClusterNodes,
  parseKeyValues,
  parseNodeAddress,
  statsFromInfo,
  versionAtLeast,
} from '../../src/shared/domain/redis-parse'

const A = 'a'.repeat(40)
const B = 'b'.repeat(40)
const C = 'c'.repeat(40)
const D = 'd'.repeat(40)
const E = 'e'.repeat(40)

/** A CLUSTER NODES reply as node A sees it mid-migration, with a failed replica, a handshake and a noaddr node. */
export const NODES = [
  `${A} 10.0.0.1:7000@17000,redis-a myself,master - 0 1700000000000 1 connected 0-5460 [5461->-${B}] [100-<-${C}]`,
  `${B} 10.0.0.2:7001@17001 master - 0 1700000000100 2 connected 5461-10922 12000`,
  `${C} 10.0.0.3:7002@17002 master,fail? - 1700000000000 1700000000200 3 disconnected 10923-11999 12001-16383`,
  `${D} 10.0.0.1:7003@17003 slave,fail ${A} 1700000000000 1700000000300 1 disconnected`,
  `${E} :0@0 master,noaddr - 0 0 0 disconnected`,
  `f${'0'.repeat(39)} 10.0.0.9:7009@17009 handshake - 0 0 0 connected`,
].join('\n')

describe('CLUSTER NODES', () => {
  it('parses addresses, flags, roles, epochs and link state', () => {
    const nodes = parseClusterNodes(NODES)
    expect(nodes).toHaveLength(6)
    const a = nodes[0]!
    expect(a).toMatchObject({
      id: A,
      host: '10.0.0.1',
      port: 7000,
      cport: 17000,
      hostname: 'redis-a',
      addr: '10.0.0.1:7000',
      role: 'master',
      masterId: null,
      configEpoch: 1,
      linkState: 'connected',
    })
    expect(a.flags).toEqual(['myself', 'master'])
    const d = nodes[3]!
    expect(d.role).toBe('replica')
    expect(d.masterId).toBe(A)
    expect(d.flags).toContain('fail')
    expect(d.pingSentMs).toBe(1700000000000)
    expect(nodes[2]!.flags).toContain('fail?')
    expect(nodes[2]!.linkState).toBe('disconnected')
    expect(nodes[4]).toMatchObject({ host: '', port: 0, flags: ['master', 'noaddr'] })
    expect(nodes[5]!.flags).toEqual(['handshake'])
  })

  it('parses slot ranges, single slots and migrating/importing markers', () => {
    const [a, b, c] = parseClusterNodes(NODES)
    expect(a!.slots).toEqual([{ start: 0, end: 5460 }])
    expect(a!.migrating).toEqual([{ slot: 5461, to: B }])
    expect(a!.importing).toEqual([{ slot: 100, from: C }])
    expect(b!.slots).toEqual([
      { start: 5461, end: 10922 },
      { start: 12000, end: 12000 },
    ])
    expect(c!.slots).toEqual([
      { start: 10923, end: 11999 },
      { start: 12001, end: 16383 },
    ])
  })

  it('merges adjacent single slots and ranges, tolerates runs of spaces and skips tokens that are not slots', () => {
    const n = parseClusterNodeLine(`${A}  127.0.0.1:7000@17000 myself,master -  0 0 3 connected 7 5-6 10-12 8 -4 x [9->-${B}]`)!
    expect(n.slots).toEqual([
      { start: 5, end: 8 },
      { start: 10, end: 12 },
    ])
    expect(n.migrating).toEqual([{ slot: 9, to: B }])
    expect(n.configEpoch).toBe(3)
  })

  it('ignores lines that are not nodes and handles IPv6', () => {
    expect(parseClusterNodeLine('')).toBeNull()
    expect(parseClusterNodeLine('garbage line here')).toBeNull()
    expect(parseNodeAddress('::1:7000@17000')).toEqual({ host: '::1', port: 7000, cport: 17000 })
    expect(parseClusterNodeLine(`${A} ::1:7000@17000 master - 0 0 1 connected`)!.addr).toBe('[::1]:7000')
    expect(parseAddr('[::1]:7000')).toEqual({ host: '::1', port: 7000 })
    expect(parseAddr('127.0.0.1:7000')).toEqual({ host: '127.0.0.1', port: 7000 })
    expect(parseAddr('nope')).toBeNull()
  })
})

const INFO_REPLICA = `# Server\r
redis_version:7.0.15\r
uptime_in_seconds:1234\r
# Clients\r
connected_clients:7\r
# Memory\r
used_memory:900\r
maxmemory:1000\r
# Stats\r
instantaneous_ops_per_sec:42\r
# Replication\r
role:slave\r
master_host:10.0.0.1\r
master_port:7000\r
master_link_status:up\r
master_last_io_seconds_ago:1\r
master_sync_in_progress:0\r
slave_repl_offset:5000\r
master_repl_offset:5000\r
connected_slaves:0\r
# Cluster\r
cluster_enabled:1\r
# Keyspace\r
db0:keys=10,expires=2,avg_ttl=0\r
db1:keys=5,expires=0,avg_ttl=0\r
`

describe('INFO', () => {
  it('extracts what the node table needs', () => {
    const s = statsFromInfo(parseKeyValues(INFO_REPLICA))
    expect(s).toMatchObject({
      version: '7.0.15',
      uptimeSeconds: 1234,
      usedMemory: 900,
      maxmemory: 1000,
      memoryFraction: 0.9,
      opsPerSec: 42,
      connectedClients: 7,
      keys: 15,
      expires: 2,
      role: 'replica',
      replOffset: 5000,
      masterLinkStatus: 'up',
      masterLastIoSecondsAgo: 1,
      masterSyncInProgress: false,
    })
  })

  it('treats maxmemory 0 as unlimited and a master without link fields', () => {
    const s = statsFromInfo(parseKeyValues('role:master\r\nused_memory:10\r\nmaxmemory:0\r\nmaster_repl_offset:77\r\n'))
    expect(s.memoryFraction).toBeNull()
    expect(s.role).toBe('master')
    expect(s.replOffset).toBe(77)
    expect(s.masterLinkStatus).toBeUndefined()
  })

  it('compares versions', () => {
    expect(versionAtLeast('7.0.15', '7.0.0')).toBe(true)
    expect(versionAtLeast('6.2.14', '7.0.0')).toBe(false)
    expect(versionAtLeast('8.4.0', '8.4.0')).toBe(true)
  })
})
