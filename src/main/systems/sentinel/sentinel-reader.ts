import type { SentinelMaster, SentinelTopology } from '../../../shared/systems/sentinel'
import { formatAddr } from '../../../shared/domain/redis-parse'
import type { Finding, HealthStatus } from '../../../shared/health'
import type { Connections } from '../../core/connections'
import { toConnError, withTimeout } from '../../core/errors'
import { connectTo, pairs, withSentinel, type SentinelEndpoint } from './sentinel-client'

/**
 * The master's own replication offset (INFO replication's master_repl_offset): SENTINEL MASTER does
 * not report it (sentinelRedisInstance replies, src/sentinel.c), only each replica's
 * slave-repl-offset, so a replica's lag needs the master's side. Null when the master does not answer.
 */
async function masterOffset(endpoint: SentinelEndpoint, connections: Connections, addr: string): Promise<number | null> {
  const i = addr.lastIndexOf(':')
  const c = await connectTo(endpoint, connections, addr.slice(0, i).replace(/^\[|\]$/g, ''), Number(addr.slice(i + 1))).catch(() => null)
  if (!c) return null
  try {
    const info = String(await withTimeout(`INFO replication on ${addr}`, 2000, c.call('INFO', 'replication')))
    const off = /^master_repl_offset:(\d+)/m.exec(info)
    return /^role:master/m.test(info) && off ? Number(off[1]) : null
  } catch {
    return null
  } finally {
    c.disconnect()
  }
}

/** Every sentinel's view of its masters: SENTINEL MASTERS / REPLICAS / SENTINELS and CKQUORUM, merged and graded. */
export async function discoverSentinel(endpoint: SentinelEndpoint, connections: Connections, environment: string): Promise<SentinelTopology> {
  const started = Date.now()
  const secrets = connections.secretValues()
  const views = await Promise.all(
    endpoint.sentinels.map(async (s) => {
      const addr = formatAddr(s.host, s.port)
      try {
        return await withSentinel(endpoint, connections, s.host, s.port, async (c) => {
          const masters = ((await c.call('SENTINEL', 'MASTERS')) as unknown[]).map(pairs).filter((m) => !endpoint.masterName || m.name === endpoint.masterName)
          const detail = await Promise.all(
            masters.map(async (m) => {
              const [replicas, sentinels, ck] = await Promise.all([
                c.call('SENTINEL', 'REPLICAS', m.name!).then((r) => (r as unknown[]).map(pairs)),
                c.call('SENTINEL', 'SENTINELS', m.name!).then((r) => (r as unknown[]).map(pairs)),
                c.call('SENTINEL', 'CKQUORUM', m.name!).then(
                  (r) => ({ ok: true, message: String(r) }),
                  (e: unknown) => ({ ok: false, message: e instanceof Error ? e.message : String(e) }),
                ),
              ])
              return { m, replicas, sentinels, ck }
            }),
          )
          return { addr, detail }
        })
      } catch (err) {
        return { addr, error: toConnError(err, secrets) }
      }
    }),
  )
  const masterAddrs = new Set(views.flatMap((v) => ('detail' in v ? v.detail.map(({ m }) => formatAddr(m.ip ?? '', Number(m.port))) : [])))
  const offsets = new Map(await Promise.all([...masterAddrs].map(async (a) => [a, await masterOffset(endpoint, connections, a)] as const)))
  const masters = new Map<string, SentinelMaster>()
  for (const v of views) {
    if (!('detail' in v)) continue
    for (const { m, replicas, sentinels, ck } of v.detail) {
      if (masters.has(m.name!)) continue
      const offset = offsets.get(formatAddr(m.ip ?? '', Number(m.port))) ?? NaN
      masters.set(m.name!, {
        name: m.name!,
        addr: formatAddr(m.ip ?? '', Number(m.port)),
        flags: (m.flags ?? '').split(',').filter(Boolean),
        quorum: Number(m.quorum ?? 0),
        replicas: replicas.map((r) => ({
          addr: formatAddr(r.ip ?? '', Number(r.port)),
          flags: (r.flags ?? '').split(',').filter(Boolean),
          linkStatus: r['master-link-status'] ?? '?',
          lagBytes: Number.isFinite(offset) && r['slave-repl-offset'] !== undefined ? Math.max(0, offset - Number(r['slave-repl-offset'])) : null,
          priority: Number(r['slave-priority'] ?? r['replica-priority'] ?? 100),
        })),
        sentinels: sentinels.map((x) => ({
          addr: formatAddr(x.ip ?? '', Number(x.port)),
          runId: x.runid ?? '',
          flags: (x.flags ?? '').split(',').filter(Boolean),
        })),
        ckquorum: ck,
        ...(m['failover-state'] ? { failoverState: m['failover-state'] } : {}),
      })
    }
  }
  const findings: Finding[] = []
  for (const v of views)
    if ('error' in v) findings.push({ severity: endpoint.sentinels.length > 1 ? 'warn' : 'critical', message: `sentinel ${v.addr}: ${v.error.message}` })
  for (const m of masters.values()) {
    if (!m.ckquorum.ok) findings.push({ severity: 'critical', message: `${m.name}: ${m.ckquorum.message}` })
    if (m.flags.some((f) => f === 's_down' || f === 'o_down'))
      findings.push({ severity: 'critical', message: `${m.name} master ${m.addr} is ${m.flags.join(',')}` })
    const good = m.replicas.filter((r) => !r.flags.some((f) => /down|disconnected/.test(f)) && r.linkStatus === 'ok')
    if (good.length === 0) findings.push({ severity: 'warn', message: `${m.name} has no healthy replica to fail over to` })
  }
  if (endpoint.masterName && !masters.has(endpoint.masterName) && views.some((v) => 'detail' in v))
    findings.push({ severity: 'critical', message: `no sentinel monitors ${endpoint.masterName}` })
  const order: Record<HealthStatus, number> = { ok: 0, unknown: 1, warn: 2, critical: 3 }
  let status: HealthStatus = views.every((v) => 'error' in v) ? 'critical' : 'ok'
  for (const f of findings) {
    const st: HealthStatus = f.severity === 'critical' ? 'critical' : f.severity === 'warn' ? 'warn' : 'ok'
    if (order[st] > order[status]) status = st
  }
  return {
    environment,
    endpointId: endpoint.id,
    sentinels: views.map((v) => ({ addr: v.addr, masters: 'detail' in v ? v.detail.map((d) => d.m.name!) : [], ...('error' in v ? { error: v.error } : {}) })),
    masters: [...masters.values()],
    findings,
    status,
    reason: findings.length
      ? findings
          .filter((f) => f.severity !== 'info')
          .map((f) => f.message)
          .join('; ') || 'ok'
      : `${masters.size} master(s) monitored by ${views.filter((v) => 'detail' in v).length} sentinel(s), quorum ok`,
    checkedAt: started,
    durationMs: Date.now() - started,
  }
}
