import type { VerificationCheck } from '../../../../shared/actions'
import { formatBytes } from '../../../../shared/domain/units'
import { step, type ActionContext, type ActionDefinition, type RequestOf } from '../../../core/actions/action-definition'
import { SwitchyardError } from '../../../core/errors'
import { sqlLiteral, withNode, type PostgresEndpoint } from '../postgres-client'

interface SlotRow {
  slot_name: string
  slot_type: string
  active: boolean
  active_pid: number | null
  retained: string | null
}

const SLOT_QUERY = `select slot_name, slot_type, active, active_pid,
  pg_wal_lsn_diff(case when pg_is_in_recovery() then pg_last_wal_receive_lsn() else pg_current_wal_lsn() end, restart_lsn)::text as retained
  from pg_replication_slots where slot_name = $1`

function endpointOf(ctx: ActionContext): PostgresEndpoint {
  if (ctx.endpoint.kind !== 'postgres') throw new SwitchyardError('config', `"${ctx.endpoint.id}" is not a PostgreSQL endpoint`)
  return ctx.endpoint
}

function nodeOf(endpoint: PostgresEndpoint, name: string) {
  const node = endpoint.nodes.find((n) => n.name === name)
  if (!node) throw new SwitchyardError('config', `${endpoint.name} has no node named "${name}"`)
  return node
}

const readSlot = (ctx: ActionContext, req: RequestOf<'pg.drop-slot'>) =>
  withNode(endpointOf(ctx), ctx.connections, nodeOf(endpointOf(ctx), req.node), async (c) => (await c.query<SlotRow>(SLOT_QUERY, [req.slot])).rows[0])

const dropStatement = (slot: string) => `SELECT pg_drop_replication_slot(${sqlLiteral(slot)})`

/**
 * Drops a replication slot nobody consumes, on the node that has it: the WAL it holds back can be
 * recycled at the next checkpoint. Refused while the slot is in use, and on a Patroni cluster
 * (Patroni owns its members' slots and its permanent ones: change them through its configuration).
 */
export const pgDropSlot: ActionDefinition<'pg.drop-slot', { retained: number | null }> = {
  kind: 'pg.drop-slot',
  async prepare(req, ctx) {
    const endpoint = endpointOf(ctx)
    if (endpoint.patroni)
      throw new SwitchyardError(
        'config',
        `refused: ${endpoint.name} is managed by Patroni, which owns its replication slots (members' and permanent ones); remove ${req.slot} from the slots of its configuration (patronictl edit-config) or the member that uses it`,
      )
    const slot = await readSlot(ctx, req)
    if (!slot) throw new SwitchyardError('config', `nothing to drop: ${req.node} has no replication slot named ${req.slot}`)
    const retained = slot.retained === null ? null : Math.max(0, Number(slot.retained))
    const frees = retained === null ? 'the WAL it holds' : formatBytes(retained)
    return {
      state: { retained },
      target: `${req.node}/${req.slot}`,
      title: `Drop replication slot ${req.slot} on ${req.node}`,
      summary: `Frees ${frees} of WAL at the next checkpoint. Whatever consumed this ${slot.slot_type} slot can no longer resume from it: a standby must be cloned again, a logical subscriber resynchronised.`,
      risk: 'medium',
      steps: [step(`drop slot ${req.slot} on ${req.node}`, `${dropStatement(req.slot)};  -- on ${req.node}, only while it is inactive`)],
      prechecks: [
        {
          name: `${req.slot} is not in use`,
          passed: !slot.active,
          detail: slot.active ? `in use by pid ${slot.active_pid ?? '?'}: stop its consumer first` : `inactive, retains ${frees}`,
        },
      ],
      warnings: [`Dropping a slot cannot be undone: its consumer loses its place in the WAL.`],
    }
  },
  async execute(req, prepared, ctx) {
    ctx.step(prepared.steps[0]!.title)
    const endpoint = endpointOf(ctx)
    // the check and the drop in one statement: a consumer that connected since the plan keeps its slot
    const dropped = await withNode(
      endpoint,
      ctx.connections,
      nodeOf(endpoint, req.node),
      async (c) =>
        (await c.query(`select pg_drop_replication_slot(slot_name) from pg_replication_slots where slot_name = $1 and not active`, [req.slot])).rowCount,
    )
    if (!dropped) throw new SwitchyardError('config', `nothing was dropped: ${req.slot} on ${req.node} is in use again, or gone`)
    return `dropped ${req.slot} on ${req.node}; ${prepared.state.retained === null ? 'its WAL' : formatBytes(prepared.state.retained) + ' of WAL'} can be recycled at the next checkpoint`
  },
  async verify(req, _prepared, ctx): Promise<VerificationCheck[]> {
    const slot = await readSlot(ctx, req)
    return [
      {
        name: `${req.slot} gone from ${req.node}`,
        passed: !slot,
        detail: slot ? `still there (${slot.active ? 'active' : 'inactive'})` : 'not in pg_replication_slots',
      },
    ]
  },
}
