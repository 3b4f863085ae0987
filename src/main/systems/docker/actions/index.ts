import type { ActionContext, ActionDefinition } from '../../../core/actions/action-definition'
import { step } from '../../../core/actions/action-definition'
import { SwitchyardError } from '../../../core/errors'
import { dockerClient } from '../docker-client'

async function inspect(ctx: ActionContext, container: string) {
  if (ctx.endpoint.kind !== 'docker') throw new SwitchyardError('config', `${ctx.endpoint.id} is not a Docker endpoint`)
  const docker = await dockerClient(ctx.endpoint, ctx.connections)
  return { docker, info: await docker.getContainer(container).inspect() }
}

/** Restart one container and verify it is running again with a new start time. */
export const dockerRestart: ActionDefinition<'docker.restart', { id: string; name: string }> = {
  kind: 'docker.restart',
  async prepare(req, ctx) {
    const { info } = await inspect(ctx, req.container)
    const name = info.Name.replace(/^\//, '')
    return {
      target: name,
      title: `Restart container ${name}`,
      summary: `Stops ${name} (SIGTERM, 10 s grace, then SIGKILL) and starts it again. Traffic it serves is interrupted for the restart.`,
      risk: 'medium',
      steps: [step(`restart ${name}`, `POST /containers/${info.Id.slice(0, 12)}/restart?t=10`)],
      prechecks: [{ name: 'container exists', passed: true, detail: `${name} is ${info.State.Status}` }],
      warnings: info.State.Running ? [] : [`${name} is not running now; restart will start it`],
      state: { id: info.Id, name },
    }
  },
  async execute(_req, { state }, ctx) {
    if (ctx.endpoint.kind !== 'docker') throw new SwitchyardError('config', `${ctx.endpoint.id} is not a Docker endpoint`)
    const docker = await dockerClient(ctx.endpoint, ctx.connections)
    ctx.step(`restart ${state.name}`)
    await docker.getContainer(state.id).restart({ t: 10 })
    return `restarted ${state.name}`
  },
  async verify(_req, { state }, ctx) {
    const { info } = await inspect(ctx, state.id)
    const startedAt = Date.parse(info.State.StartedAt)
    return [
      { name: 'running', passed: info.State.Running, detail: `state ${info.State.Status}` },
      { name: 'freshly started', passed: Date.now() - startedAt < 120_000, detail: `started at ${info.State.StartedAt}` },
    ]
  },
}
