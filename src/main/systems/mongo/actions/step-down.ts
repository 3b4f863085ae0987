import { electableSecondaries, stepDownSecsFor } from '../../../../shared/domain/mongo-balance'
import { formatSeconds } from '../../../../shared/domain/units'
import type { MongoReplicaSet } from '../../../../shared/systems/mongo'
import { step } from '../../../core/actions/action-definition'
import { SwitchyardError } from '../../../core/errors'
import { sleep } from '../../../core/wait'
import { labelled, memberClient } from '../mongo-client'
import { readReplicaSets } from '../mongo-members'
import { adminCommand } from '../mongosh-text'

import { admin, check, mongoAction, type Env } from './mongo-action'

// ---- replica sets -----------------------------------------------------------------------------

async function replicaSet(env: Env, name: string): Promise<MongoReplicaSet> {
  const map = await admin(env, { getShardMap: 1 })
  const sets = await readReplicaSets(env.endpoint, env.ctx.connections, map)
  const rs = sets.find((s) => s.name === name || s.shard === name)
  if (!rs) throw new SwitchyardError('config', `no replica set or shard named ${name} in ${env.endpoint.name} (known: ${sets.map((s) => s.name).join(', ')})`)
  return rs
}

export const mongoStepDown = mongoAction(
  'mongo.step-down',
  async (env, req) => {
    const rs = await replicaSet(env, req.replicaSet)
    const stepDownSecs = req.stepDownSecs ?? stepDownSecsFor(req.catchUpSecs, rs.electionTimeoutMs)
    const candidates = electableSecondaries(rs.members, req.catchUpSecs)
    const cmd = { replSetStepDown: stepDownSecs, secondaryCatchUpPeriodSecs: req.catchUpSecs }
    const lags = rs.members
      .filter((m) => m.host !== rs.primary)
      .map(
        (m) =>
          `${m.host} ${m.state.toLowerCase()}${m.lagSeconds !== null ? ` ${formatSeconds(m.lagSeconds)} behind` : ''}${m.priority === 0 ? ', priority 0' : ''}${m.hidden ? ', hidden' : ''}`,
      )
    return {
      state: { primary: rs.primary ?? '', cmd },
      plan: {
        target: rs.name,
        title: `Step down the primary of ${rs.name}${rs.primary ? ` (${rs.primary})` : ''}`,
        summary: `The primary waits up to ${req.catchUpSecs} s for an electable secondary to catch up, steps down for ${stepDownSecs} s, and the set elects a new primary. Writes to ${rs.shard ?? rs.name} pause for the election.`,
        risk: 'medium',
        steps: [
          step(`on ${rs.primary ?? 'the primary'}: step down without force`, adminCommand(cmd)),
          step('wait for the new primary', adminCommand({ replSetGetStatus: 1 }) + '  // on the other members, until one is PRIMARY'),
        ],
        prechecks: [
          check('a primary', rs.primary !== null, rs.primary ?? 'the set has no primary'),
          check(
            `an electable secondary within ${req.catchUpSecs} s`,
            candidates.length > 0,
            candidates.length
              ? candidates.map((c) => `${c.host} (${formatSeconds(c.lagSeconds ?? 0)} behind)`).join(', ')
              : lags.join('; ') || 'no secondaries',
          ),
          check(
            'step-down period covers catch-up and an election',
            stepDownSecs >= req.catchUpSecs + Math.ceil(rs.electionTimeoutMs / 1000),
            `${stepDownSecs} s ≥ ${req.catchUpSecs} s + ${Math.ceil(rs.electionTimeoutMs / 1000)} s election timeout`,
          ),
        ],
        warnings: [],
      },
    }
  },
  async (env, req, state, run) => {
    run.step(`on ${state.primary}: step down without force`)
    const t0 = Date.now()
    const primary = await memberClient(env.endpoint, env.ctx.connections, state.primary)
    await labelled(`replSetStepDown on ${state.primary}`, primary.db('admin').command(state.cmd), env.version)
    run.step('wait for the new primary')
    for (;;) {
      const rs = await replicaSet(env, req.replicaSet)
      if (rs.primary && rs.primary !== state.primary)
        return `${rs.primary} is the new primary of ${rs.name}, elected ${Date.now() - t0} ms after the step-down began`
      if (Date.now() - t0 > (state.cmd.replSetStepDown + 30) * 1000)
        throw new SwitchyardError('timeout', `${rs.name} has no new primary ${formatSeconds((Date.now() - t0) / 1000)} after the step-down`)
      run.progress(`electing… ${formatSeconds((Date.now() - t0) / 1000)}`)
      await sleep(250)
    }
  },
  async (env, req, plan) => {
    const rs = await replicaSet(env, req.replicaSet)
    const old = /\(([^)]+)\)$/.exec(plan.title)?.[1]
    const was = rs.members.find((m) => m.host === old)
    return [
      check('a new primary', rs.primary !== null && rs.primary !== old, rs.primary ?? 'none'),
      check(`${old ?? 'the old primary'} is a secondary`, was?.state === 'SECONDARY', was?.state ?? 'not found'),
    ]
  },
)
