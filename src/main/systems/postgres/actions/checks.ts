import { slotNameFor } from '../../../../shared/domain/pg-topology'
import type { VerificationCheck } from '../../../../shared/actions'
import { toConnError } from '../../../core/errors'
import { type NodeAddress } from '../postgres-client'
import { emitMarkerStatement, query, waitReplayed } from '../postgres-ops'
import { readTopology } from '../postgres-reader'

import { type Env, snap } from './operation'

// ---- verification -----------------------------------------------------------------------------------

/** The shape every procedure should leave: one primary, the named standbys streaming from it, their slots active, a fresh write replayed everywhere. */
export async function verifyShape(env: Env, primaryName: string, standbyNames: string[], extra: NodeAddress[] = []): Promise<VerificationCheck[]> {
  const topo = await readTopology(env.environment, env.endpoint, env.connections)
  const out: VerificationCheck[] = []
  const primaries = topo.nodes.filter((n) => n.role === 'primary').map((n) => n.name)
  out.push({
    name: `${primaryName} is the only primary`,
    passed: primaries.length === 1 && primaries[0] === primaryName,
    detail: primaries.length ? `primaries: ${primaries.join(', ')}` : 'no primary',
  })
  const p = snap(topo, primaryName)
  const addrs: NodeAddress[] = []
  for (const s of standbyNames) {
    const n = snap(topo, s)
    const x = extra.find((e) => e.name === s)
    // Streaming from the primary, or from a standby of this set (a cascade).
    const upstreamOk = n?.upstream === primaryName || (n?.upstream != null && standbyNames.includes(n.upstream))
    let streaming = n?.role === 'standby' && upstreamOk && n.walReceiver?.status === 'streaming'
    let detail = n ? `${n.role}, upstream ${n.upstream ?? 'none'}, receiver ${n.walReceiver?.status ?? 'none'}` : 'not found'
    if ((!n || !n.listed) && x) {
      // Not in the node list: ask it directly.
      try {
        const r = await query<{ status: string; sender_port: number }>(env, x, 'SELECT status, sender_port FROM pg_stat_wal_receiver', 3000)
        streaming = r[0]?.status === 'streaming' && r[0].sender_port === p?.port
        detail = r[0] ? `${r[0].status} from port ${r[0].sender_port}` : 'no WAL receiver'
      } catch (err) {
        detail = toConnError(err).message
      }
    }
    const via = n?.upstream && n.upstream !== primaryName && standbyNames.includes(n.upstream) ? n.upstream : primaryName
    out.push({ name: via === primaryName ? `${s} streams from ${primaryName}` : `${s} streams from ${via} (cascade)`, passed: streaming, detail })
    const holder = snap(topo, via)
    const slot = holder?.slots.find((x2) => x2.name === slotNameFor(s))
    // A standby configured without a slot is fine; a slot that exists must be in use.
    if (slot || n?.walReceiver?.slotName || x)
      out.push({
        name: `slot ${slotNameFor(s)} on ${via} is active`,
        passed: Boolean(slot?.active),
        detail: slot ? (slot.active ? 'active' : 'inactive') : 'missing',
      })
    const node = x ?? (n ? { name: n.name, host: n.host, port: n.port } : undefined)
    if (node) addrs.push(node)
  }
  if (p && p.role === 'primary') {
    try {
      const rows = await query<{ lsn: string }>(env, p, emitMarkerStatement('verify').text, 5000)
      const lsn = rows[0]!.lsn
      await waitReplayed({ ...env, signal: new AbortController().signal }, addrs, lsn, 15_000)
      out.push({
        name: `a write on ${primaryName} reaches every standby`,
        passed: true,
        detail: `marker ${lsn} replayed by ${addrs.map((a) => a.name).join(', ') || 'none'}`,
      })
    } catch (err) {
      out.push({ name: `a write on ${primaryName} reaches every standby`, passed: false, detail: toConnError(err).message })
    }
  }
  return out
}
