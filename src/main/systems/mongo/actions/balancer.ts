import type { Document } from 'mongodb'
import { step } from '../../../core/actions/action-definition'
import { SwitchyardError } from '../../../core/errors'
import { sleep } from '../../../core/wait'
import { labelled } from '../mongo-client'
import { adminCommand, configUpdate } from '../mongosh-text'

import { admin, balancerStatus, check, mongoAction, settings, type Env } from './mongo-action'

// ---- balancer ---------------------------------------------------------------------------------

/** Upsert one config.settings document, as the plan's step shows it. */
function writeSetting(env: Env, id: string, update: Document) {
  return labelled(
    'config.settings update',
    env.client
      .db('config')
      .collection('settings')
      .updateOne({ _id: id } as Document, update, { upsert: true }),
    env.version,
  )
}

export const mongoBalancer = mongoAction(
  'mongo.balancer',
  async (env, req) => {
    const status = await balancerStatus(env)
    const cmd = req.enable ? { balancerStart: 1, maxTimeMS: 60_000 } : { balancerStop: 1, maxTimeMS: 60_000 }
    return {
      state: null,
      plan: {
        target: env.endpoint.name,
        title: req.enable ? `Start the balancer of ${env.endpoint.name}` : `Stop the balancer of ${env.endpoint.name}`,
        summary: req.enable
          ? 'The balancer resumes migrating chunks (inside its active window, if one is set).'
          : 'No new balancing round starts; the running round finishes first, so no migration is cut off.',
        risk: 'low',
        steps: [
          step(req.enable ? 'start the balancer' : 'stop the balancer (waits for the current round)', adminCommand(cmd)),
          ...(req.enable ? [] : [step('wait until no round is running', adminCommand({ balancerStatus: 1 }) + '  // until inBalancerRound: false')]),
        ],
        prechecks: [check('balancer mode now', true, `${String(status.mode)}${status.inBalancerRound ? ', a round is running' : ''}`)],
        warnings: !req.enable && status.inBalancerRound ? ['A balancing round is running: stopping waits for it to end.'] : [],
      },
    }
  },
  async (env, req, _s, run) => {
    run.step(req.enable ? 'start the balancer' : 'stop the balancer (waits for the current round)')
    await admin(env, req.enable ? { balancerStart: 1, maxTimeMS: 60_000 } : { balancerStop: 1, maxTimeMS: 60_000 })
    if (req.enable) return 'balancer started'
    run.step('wait until no round is running')
    const t0 = Date.now()
    for (;;) {
      const s = await balancerStatus(env)
      if (!s.inBalancerRound) return `balancer stopped; no round running (waited ${Date.now() - t0} ms)`
      if (Date.now() - t0 > 120_000) throw new SwitchyardError('timeout', 'the balancer is off but a round is still running after 2 minutes')
      run.progress('a balancing round is still running…')
      await sleep(500)
    }
  },
  async (env, req) => {
    const s = await balancerStatus(env)
    const mode = String(s.mode)
    return [
      check(`balancer ${req.enable ? 'on' : 'off'}`, req.enable ? mode !== 'off' : mode === 'off', `mode ${mode}`),
      ...(req.enable ? [] : [check('no round running', !s.inBalancerRound, s.inBalancerRound ? 'a round is running' : 'idle')]),
    ]
  },
)

const windowText = (w: { start: string; stop: string } | null) => (w ? `${w.start}–${w.stop}` : 'none (any time)')

export const mongoBalancerWindow = mongoAction(
  'mongo.balancer-window',
  async (env, req) => {
    const current = (await settings(env, 'balancer'))?.activeWindow as { start: string; stop: string } | undefined
    const update = req.window ? { $set: { activeWindow: { start: req.window.start, stop: req.window.stop } } } : { $unset: { activeWindow: true } }
    return {
      state: update,
      plan: {
        target: env.endpoint.name,
        title: req.window
          ? `Set the balancer window of ${env.endpoint.name} to ${windowText(req.window)}`
          : `Clear the balancer window of ${env.endpoint.name}`,
        summary: `Balancing rounds ${req.window ? `only start between ${req.window.start} and ${req.window.stop}, in the config servers' local time` : 'may start at any time'}. Now: ${windowText(current ?? null)}.`,
        risk: 'low',
        steps: [step('write config.settings', configUpdate('settings', { _id: 'balancer' }, update, true))],
        prechecks: [],
        warnings: req.window && req.window.start === req.window.stop ? ['start equals stop: MongoDB treats that as no restriction'] : [],
      },
    }
  },
  async (env, _req, update, run) => {
    run.step('write config.settings')
    await writeSetting(env, 'balancer', update)
    return 'balancer window written'
  },
  async (env, req) => {
    const w = (await settings(env, 'balancer'))?.activeWindow as { start?: string; stop?: string } | undefined
    const now = w?.start && w.stop ? { start: w.start, stop: w.stop } : null
    return [check('window reads back', JSON.stringify(now) === JSON.stringify(req.window), windowText(now))]
  },
)

export const mongoChunkSize = mongoAction(
  'mongo.chunk-size',
  async (env, req) => {
    const current = await settings(env, 'chunksize')
    return {
      state: null,
      plan: {
        target: env.endpoint.name,
        title: `Set the chunk (range) size of ${env.endpoint.name} to ${req.sizeMB} MB`,
        summary: `Now ${current ? `${String(current.value)} MB` : 'the default (128 MB)'}. The balancer migrates once shards differ by three times this size; existing chunks are not split or merged by this.`,
        risk: 'medium',
        steps: [step('write config.settings', configUpdate('settings', { _id: 'chunksize' }, { $set: { value: req.sizeMB } }, true))],
        prechecks: [],
        warnings: req.sizeMB < 32 ? ['Small chunks mean many more migrations and a larger routing table.'] : [],
      },
    }
  },
  async (env, req, _s, run) => {
    run.step('write config.settings')
    await writeSetting(env, 'chunksize', { $set: { value: req.sizeMB } })
    return `chunk size ${req.sizeMB} MB`
  },
  async (env, req) => {
    const v = (await settings(env, 'chunksize'))?.value as unknown
    return [check('chunk size reads back', Number(v) === req.sizeMB, `${String(v)} MB`)]
  },
)
