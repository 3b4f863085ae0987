import { Redis } from 'ioredis'
import type { EndpointOf } from '../../../shared/inventory'
import type { SentinelMaster, SentinelTopology } from '../../../shared/systems/sentinel'
import { formatAddr } from '../../../shared/domain/redis-parse'
import type { Finding, HealthStatus } from '../../../shared/health'
import { step, type ActionContext, type ActionDefinition } from '../../core/actions/action-definition'
import type { Connections } from '../../core/connections'
import { dialOptions } from '../../core/tls'
import { SwitchyardError, toConnError, withTimeout } from '../../core/errors'
import { pollUntil } from '../../core/wait'

/**
 * Redis Sentinel: every sentinel's view of its masters (SENTINEL MASTERS / REPLICAS / SENTINELS,
 * CKQUORUM), and a failover through SENTINEL FAILOVER with the same never-trust-OK polling as the
 * cluster failover.
 */

type SentinelEndpoint = EndpointOf<'redis-sentinel'>

/** A Sentinel reply of alternating field names and values, as a record. */
export function pairs(reply: unknown): Record<string, string> {
  const arr = Array.isArray(reply) ? reply.map(String) : []
  const out: Record<string, string> = {}
  for (let i = 0; i + 1 < arr.length; i += 2) out[arr[i]!] = arr[i + 1]!
  return out
}

async function open(endpoint: SentinelEndpoint, connections: Connections, host: string, port: number): Promise<Redis> {
  const at = await connections.reach(endpoint, { host, port }, 'sentinel.sock')
  const c = new Redis({
    ...dialOptions(at, endpoint.tls ? { caFile: endpoint.caFile } : undefined),
    username: endpoint.username,
    password: connections.secret(endpoint.id),
    lazyConnect: true,
    connectTimeout: 3000,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: true,
    enableReadyCheck: false,
    retryStrategy: () => null,
  })
  c.on('error', () => undefined)
  try {
    await withTimeout(`connecting to ${host}:${port}`, 3000, c.connect())
  } catch (err) {
    c.disconnect()
    throw err
  }
  return c
}

/** One short-lived connection to a sentinel (through the endpoint's tunnel, with its TLS and ACL user). */
export async function withSentinel<T>(
  endpoint: SentinelEndpoint,
  connections: Connections,
  host: string,
  port: number,
  fn: (c: Redis) => Promise<T>,
): Promise<T> {
  const c = await open(endpoint, connections, host, port)
  try {
    return await withTimeout(`sentinel ${host}:${port}`, 5000, fn(c))
  } finally {
    c.disconnect()
  }
}

function sentinelEndpoint(ctx: Pick<ActionContext, 'endpoint'>): SentinelEndpoint {
  if (ctx.endpoint.kind !== 'redis-sentinel') throw new SwitchyardError('config', `"${ctx.endpoint.id}" is not a Redis Sentinel endpoint`)
  return ctx.endpoint
}

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
  const masters = new Map<string, SentinelMaster>()
  for (const v of views) {
    if (!('detail' in v)) continue
    for (const { m, replicas, sentinels, ck } of v.detail) {
      if (masters.has(m.name!)) continue
      const offset = Number(m['master-repl-offset'] ?? NaN)
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

async function masterAddr(endpoint: SentinelEndpoint, connections: Connections, name: string): Promise<string | null> {
  for (const s of endpoint.sentinels) {
    try {
      const r = (await withSentinel(endpoint, connections, s.host, s.port, (c) => c.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name))) as string[] | null
      if (r) return formatAddr(r[0]!, Number(r[1]))
    } catch {
      /* next sentinel */
    }
  }
  return null
}

async function roleOf(endpoint: SentinelEndpoint, connections: Connections, addr: string): Promise<string | null> {
  const i = addr.lastIndexOf(':')
  try {
    const c = await open(endpoint, connections, addr.slice(0, i).replace(/^\[|\]$/g, ''), Number(addr.slice(i + 1)))
    try {
      return String(((await withTimeout(`ROLE on ${addr}`, 2000, c.call('ROLE'))) as unknown[])[0])
    } finally {
      c.disconnect()
    }
  } catch {
    return null
  }
}

/** SENTINEL FAILOVER <master>, then poll until the sentinels name a new master that says it is one. */
export const redisSentinelFailover: ActionDefinition<'redis.sentinel-failover', { old: string }> = {
  kind: 'redis.sentinel-failover',
  async prepare(req, ctx) {
    const endpoint = sentinelEndpoint(ctx)
    const t = await discoverSentinel(endpoint, ctx.connections, ctx.environment.name)
    const m = t.masters.find((x) => x.name === req.master)
    if (!m) throw new SwitchyardError('config', `no sentinel monitors a master named ${req.master}`)
    const first = t.sentinels.find((s) => !s.error && s.masters.includes(m.name))
    const candidates = m.replicas.filter((r) => !r.flags.some((f) => /down|disconnected/.test(f)) && r.linkStatus === 'ok' && r.priority > 0)
    return {
      target: m.name,
      title: `Sentinel failover of ${m.name} (${m.addr})`,
      summary: `Asks sentinel ${first?.addr ?? '?'} to fail ${m.name} over now, without waiting for an agreement that the master is down. The sentinels pick the replica (priority, then offset, then run id), promote it and reconfigure the others; ${m.addr} becomes a replica when it is reachable. Writes the master accepted and had not replicated are lost.`,
      risk: 'medium',
      steps: [
        step(`Start the failover on ${first?.addr ?? '?'}`, `${first?.addr ?? '?'}: SENTINEL FAILOVER ${m.name}`),
        step(
          'Poll until a new master is in place',
          `every sentinel: SENTINEL GET-MASTER-ADDR-BY-NAME ${m.name}  (until it is not ${m.addr})`,
          '<new master>: ROLE  (until master)',
          `${m.addr}: ROLE  (until slave, or unreachable), up to ${Math.round(req.timeoutMs / 1000)} s`,
        ),
      ],
      prechecks: [
        { name: 'a sentinel answers', passed: Boolean(first), detail: first ? `${first.addr} monitors ${m.name}` : 'no sentinel that monitors it answers' },
        { name: 'quorum reachable', passed: m.ckquorum.ok, detail: m.ckquorum.message },
        {
          name: 'a replica can take over',
          passed: candidates.length > 0,
          detail: candidates.length ? candidates.map((r) => `${r.addr} (lag ${r.lagBytes ?? '?'} B)`).join(', ') : 'no replica with link ok and priority > 0',
        },
        { name: 'no failover in progress', passed: !m.flags.includes('failover_in_progress'), detail: m.failoverState ?? 'idle' },
      ],
      warnings: m.replicas.some((r) => (r.lagBytes ?? 0) > 0) ? ['some replicas are behind: their unreplicated writes are lost if one of them is chosen'] : [],
      dataLoss: 'writes the master accepted and had not replicated are lost',
      state: { old: m.addr },
    }
  },
  async execute(req, { state: { old } }, ctx) {
    const endpoint = sentinelEndpoint(ctx)
    ctx.step(`Start the failover on ${endpoint.sentinels[0] ? `${endpoint.sentinels[0].host}:${endpoint.sentinels[0].port}` : '?'}`)
    const started = Date.now()
    let sent = false
    for (const s of endpoint.sentinels) {
      try {
        await withSentinel(endpoint, ctx.connections, s.host, s.port, (c) => c.call('SENTINEL', 'FAILOVER', req.master))
        sent = true
        break
      } catch (err) {
        ctx.progress(`sentinel ${s.host}:${s.port}: ${(err as Error).message}`)
      }
    }
    if (!sent) throw new SwitchyardError('other', 'no sentinel accepted SENTINEL FAILOVER')
    ctx.step('Poll until a new master is in place')
    const now = await pollUntil(
      `sentinel failover of ${req.master}`,
      req.timeoutMs,
      async () => {
        const addr = await masterAddr(endpoint, ctx.connections, req.master)
        if (!addr || addr === old) return { waiting: `sentinels still name ${old}` }
        if ((await roleOf(endpoint, ctx.connections, addr)) !== 'master') return { waiting: `${addr} is not master yet` }
        const oldRole = await roleOf(endpoint, ctx.connections, old)
        if (oldRole === 'master') return { waiting: `${old} still says it is master` }
        return { done: addr }
      },
      300,
      ctx.signal,
    )
    return `${now} is master of ${req.master} after ${((Date.now() - started) / 1000).toFixed(1)} s (was ${old})`
  },
  async verify(req, _prepared, ctx) {
    const endpoint = sentinelEndpoint(ctx)
    const t = await discoverSentinel(endpoint, ctx.connections, ctx.environment.name)
    const m = t.masters.find((x) => x.name === req.master)
    const named = await Promise.all(
      endpoint.sentinels.map((s) =>
        withSentinel(endpoint, ctx.connections, s.host, s.port, (c) => c.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', req.master))
          .then((r) => (r ? formatAddr(String((r as string[])[0]), Number((r as string[])[1])) : null))
          .catch(() => null),
      ),
    )
    const answered = named.filter((n): n is string => n !== null)
    const role = m ? await roleOf(endpoint, ctx.connections, m.addr) : null
    return [
      {
        name: 'sentinels agree on the master',
        passed: answered.length > 0 && answered.every((a) => a === answered[0]),
        detail: answered.join(', ') || 'no answer',
      },
      { name: 'new master is a master', passed: role === 'master', detail: `${m?.addr ?? '?'} says ${role ?? 'nothing'}` },
      { name: 'quorum ok', passed: m?.ckquorum.ok ?? false, detail: m?.ckquorum.message ?? '?' },
    ]
  },
}
