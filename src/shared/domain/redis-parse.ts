import type { ClusterNodeEntry, RedisNodeStats } from '../systems/redis'
import { normalizeRanges, type SlotRange } from './slots'

/**
 * Parsers for Redis text replies: CLUSTER NODES, CLUSTER INFO and INFO. Pure so that the unit
 * tests feed them recorded replies, including the odd ones (noaddr, handshake, open slots).
 */

/** "ip:port@cport[,hostname]" → parts; ip may be empty (noaddr) and may be IPv6 without brackets. */
export function parseNodeAddress(text: string): { host: string; port: number; cport: number; hostname?: string } {
  const [addrPart = '', hostname] = text.split(',', 2)
  const at = addrPart.lastIndexOf('@')
  const hostPort = at === -1 ? addrPart : addrPart.slice(0, at)
  const cport = at === -1 ? 0 : Number(addrPart.slice(at + 1))
  const colon = hostPort.lastIndexOf(':')
  let host = colon === -1 ? hostPort : hostPort.slice(0, colon)
  const port = colon === -1 ? 0 : Number(hostPort.slice(colon + 1))
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1)
  return { host, port: Number.isFinite(port) ? port : 0, cport: Number.isFinite(cport) ? cport : 0, ...(hostname ? { hostname } : {}) }
}

export function formatAddr(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`
}

/** Parse a host:port node reference; IPv6 may be bracketed. */
export function parseAddr(addr: string): { host: string; port: number } | null {
  const m = /^\[?([^\]]*?)\]?:(\d{1,5})$/.exec(addr.trim())
  if (!m) return null
  return { host: m[1]!, port: Number(m[2]) }
}

const NODE_ID = /^[0-9a-f]{40}$/i
const OPEN_SLOT = /^\[(\d+)-([<>])-([0-9a-f]{40})\]$/i

/**
 * One line of CLUSTER NODES. Returns null for a line that is not a node. A poll of a big cluster
 * parses every node's view (n² lines), so this avoids regular expressions on the common fields.
 */
export function parseClusterNodeLine(line: string): ClusterNodeEntry | null {
  const trimmed = line.trim()
  let parts = trimmed.split(' ')
  if (parts.includes('')) parts = trimmed.split(/\s+/)
  if (parts.length < 8) return null
  const [id, address, flagText, master, pingSent, pongRecv, epoch, link] = parts as [string, string, string, string, string, string, string, string]
  if (!NODE_ID.test(id)) return null
  const flags = flagText === 'noflags' ? [] : flagText.split(',')
  const { host, port, cport, hostname } = parseNodeAddress(address)
  const ranges: SlotRange[] = []
  const migrating: { slot: number; to: string }[] = []
  const importing: { slot: number; from: string }[] = []
  for (let i = 8; i < parts.length; i++) {
    const p = parts[i]!
    if (p.startsWith('[')) {
      const m = OPEN_SLOT.exec(p)
      if (m?.[2] === '>') migrating.push({ slot: Number(m[1]), to: m[3]! })
      else if (m) importing.push({ slot: Number(m[1]), from: m[3]! })
      continue
    }
    const dash = p.indexOf('-')
    if (dash === 0) continue
    const start = Number(dash === -1 ? p : p.slice(0, dash))
    const end = dash === -1 ? start : Number(p.slice(dash + 1))
    if (Number.isInteger(start) && Number.isInteger(end) && p !== '') ranges.push({ start, end })
  }
  return {
    id,
    host,
    port,
    cport,
    ...(hostname ? { hostname } : {}),
    addr: formatAddr(host, port),
    flags,
    role: flags.includes('slave') || flags.includes('replica') ? 'replica' : 'master',
    masterId: master === '-' ? null : master,
    pingSentMs: Number(pingSent) || 0,
    pongRecvMs: Number(pongRecv) || 0,
    configEpoch: Number(epoch) || 0,
    linkState: link === 'connected' ? 'connected' : 'disconnected',
    slots: ranges.length > 1 ? normalizeRanges(ranges) : ranges,
    migrating,
    importing,
  }
}

export function parseClusterNodes(text: string): ClusterNodeEntry[] {
  return text
    .split(/\r?\n/)
    .map(parseClusterNodeLine)
    .filter((n): n is ClusterNodeEntry => n !== null)
}

/** The node that answered CLUSTER NODES (flag "myself"). */
export function myselfOf(nodes: readonly ClusterNodeEntry[] | undefined): ClusterNodeEntry | undefined {
  if (!nodes) return undefined
  let me = selves.get(nodes)
  if (me === undefined) {
    me = nodes.find((n) => n.flags.includes('myself')) ?? null
    selves.set(nodes, me)
  }
  return me ?? undefined
}

/** A topology looks up each view's own line several times; a poll of n nodes has n views of n lines. */
const selves = new WeakMap<readonly ClusterNodeEntry[], ClusterNodeEntry | null>()

/** "key:value" lines (CLUSTER INFO, or INFO without sections) into a record. */
export function parseKeyValues(text: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const line of text.split(/\r?\n/)) {
    if (!line || line.startsWith('#')) continue
    const i = line.indexOf(':')
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1).trim()
  }
  return out
}

/** "keys=1,expires=0,avg_ttl=0" → record. */
export function parseInfoList(text: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const part of text.split(',')) {
    const i = part.indexOf('=')
    if (i > 0) out[part.slice(0, i)] = part.slice(i + 1)
  }
  return out
}

function num(v: string | undefined): number {
  const n = Number(v)
  return Number.isFinite(n) ? n : 0
}

/** The fields of INFO that the node table and the findings need. */
export function statsFromInfo(info: Record<string, string>): RedisNodeStats {
  let keys = 0
  let expires = 0
  for (const [k, v] of Object.entries(info)) {
    if (/^db\d+$/.test(k)) {
      const db = parseInfoList(v)
      keys += num(db.keys)
      expires += num(db.expires)
    }
  }
  const usedMemory = num(info.used_memory)
  const maxmemory = num(info.maxmemory)
  const role = info.role === 'slave' ? 'replica' : 'master'
  const stats: RedisNodeStats = {
    version: info.redis_version ?? info.valkey_version ?? 'unknown',
    uptimeSeconds: num(info.uptime_in_seconds),
    usedMemory,
    maxmemory,
    memoryFraction: maxmemory > 0 ? usedMemory / maxmemory : null,
    ...(info.total_system_memory !== undefined ? { totalSystemMemory: num(info.total_system_memory) } : {}),
    ...(info.mem_not_counted_for_evict !== undefined ? { memNotCountedForEvict: num(info.mem_not_counted_for_evict) } : {}),
    opsPerSec: num(info.instantaneous_ops_per_sec),
    connectedClients: num(info.connected_clients),
    keys,
    expires,
    role,
    replOffset: role === 'replica' && info.slave_repl_offset !== undefined ? num(info.slave_repl_offset) : num(info.master_repl_offset),
    connectedReplicas: num(info.connected_slaves),
  }
  if (role === 'replica') {
    stats.masterLinkStatus = info.master_link_status === 'up' ? 'up' : 'down'
    if (info.master_last_io_seconds_ago !== undefined) stats.masterLastIoSecondsAgo = num(info.master_last_io_seconds_ago)
    stats.masterSyncInProgress = info.master_sync_in_progress === '1'
  }
  if (info.cluster_enabled === '1' && info.cluster_state) stats.clusterState = info.cluster_state
  return stats
}

/** Compare version strings like "7.0.15" ≥ "7.0.0". */
export function versionAtLeast(version: string, min: string): boolean {
  const a = version.split('.').map((x) => parseInt(x, 10) || 0)
  const b = min.split('.').map((x) => parseInt(x, 10) || 0)
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0)
    if (d !== 0) return d > 0
  }
  return true
}
