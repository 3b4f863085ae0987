import { SwitchyardError, withTimeout } from '../../../core/errors'
import { formatAddr } from '../../../../shared/domain/redis-parse'
import { step, type ActionContext, type ActionDefinition } from '../../../core/actions/action-definition'
import type { Connections } from '../../../core/connections'
import { pollUntil } from '../../../core/wait'
import { connectTo, withSentinel, type SentinelEndpoint } from '../sentinel-client'
import { discoverSentinel } from '../sentinel-reader'
import { formatBytes } from '../../../../shared/domain/units'

/**
 * What SENTINEL FAILOVER can lose, in bytes where the replicas say: Sentinel promotes the most
 * caught-up candidate (priority first, then replication offset), so its lag is what is lost now.
 */
export function sentinelDataLoss(master: string, candidates: readonly { addr: string; lagBytes: number | null }[]): string {
  const known = candidates.filter((r) => r.lagBytes !== null).sort((a, b) => a.lagBytes! - b.lagBytes!)
  const best = known[0]
  if (!best) return `writes ${master} accepted and had not replicated are lost (the replicas' lag is unknown)`
  return best.lagBytes
    ? `up to ${formatBytes(best.lagBytes)} of writes ${master} accepted that even the most caught-up replica (${best.addr}) has not received, and whatever it accepts until the switch`
    : `the writes ${master} accepts between now and the switch, which no replica has yet (${best.addr} is caught up)`
}

function sentinelEndpoint(ctx: Pick<ActionContext, 'endpoint'>): SentinelEndpoint {
  if (ctx.endpoint.kind !== 'redis-sentinel') throw new SwitchyardError('config', `"${ctx.endpoint.id}" is not a Redis Sentinel endpoint`)
  return ctx.endpoint
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
    const c = await connectTo(endpoint, connections, addr.slice(0, i).replace(/^\[|\]$/g, ''), Number(addr.slice(i + 1)))
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
        { ...step(`Start the failover on ${first?.addr ?? '?'}`, `${first?.addr ?? '?'}: SENTINEL FAILOVER ${m.name}`), pausesWrites: true },
        {
          ...step(
            'Poll until a new master is in place',
            `every sentinel: SENTINEL GET-MASTER-ADDR-BY-NAME ${m.name}  (until it is not ${m.addr})`,
            '<new master>: ROLE  (until master)',
            `${m.addr}: ROLE  (until slave, or unreachable), up to ${Math.round(req.timeoutMs / 1000)} s`,
          ),
          pausesWrites: true,
        },
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
      dataLoss: sentinelDataLoss(m.addr, candidates),
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
