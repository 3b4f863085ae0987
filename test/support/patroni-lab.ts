import type { ActionRequest } from '../../src/shared/action-requests'
import { createActionRunner } from '../../src/main/features/actions/runner'
import { postgresService } from '../../src/main/systems/postgres/postgres-service'
import { labHub } from './lab'
import { planAndRun } from './plan-and-run'

type WithoutTarget<T> = T extends unknown ? Omit<T, 'environment' | 'endpointId'> : never
interface ClusterReply {
  members: { name: string; role: string; state: string }[]
  pause?: boolean
}

/** A hub on the lab with an action runner, and Patroni's REST API read directly (not through Switchyard) to check it. */
export async function patroniLab() {
  const base = await labHub()
  const runner = createActionRunner(base.hub)
  const service = postgresService(base.hub)
  const rest = base.lab.patroni.members[0]!.restUrl
  const cluster = async (): Promise<ClusterReply> => (await (await fetch(`${rest}/cluster`)).json()) as ClusterReply
  const leader = async () => (await cluster()).members.find((m) => m.role === 'leader')?.name
  const act = (request: WithoutTarget<ActionRequest>) => planAndRun(runner, { environment: 'lab', endpointId: 'patroni', ...request })
  async function waitHealthy(ms = 60_000): Promise<void> {
    const deadline = Date.now() + ms
    for (;;) {
      const c = await cluster().catch(() => undefined)
      if (
        c &&
        !c.pause &&
        c.members.length === 3 &&
        c.members.every((m) => m.state === 'running' || m.state === 'streaming') &&
        c.members.some((m) => m.role === 'leader')
      )
        return
      if (Date.now() > deadline) throw new Error(`Patroni cluster not healthy: ${JSON.stringify(c)}`)
      await new Promise((r) => setTimeout(r, 500))
    }
  }
  /** ha1 leads again and automatic failover is on, as the lab started. */
  async function restore(): Promise<void> {
    if ((await cluster()).pause) await act({ kind: 'pg.patroni-pause', pause: false })
    await waitHealthy()
    if ((await leader()) !== 'ha1') await act({ kind: 'pg.patroni-switchover', candidate: 'ha1' })
    await waitHealthy()
  }
  return { ...base, runner, service, cluster, leader, act, waitHealthy, restore }
}
export type PatroniLab = Awaited<ReturnType<typeof patroniLab>>
