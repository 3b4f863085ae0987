import type Docker from 'dockerode'
import type { EndpointOf } from '../../../shared/inventory'
import type { Replica, ReplicaGroup } from '../../../shared/systems/docker'
import type { Connections } from '../../core/connections'
import { withTimeout } from '../../core/errors'
import { dockerHandle, labelFilters } from './docker-client'
import type { ContainerLoad } from './docker-stats'

type DockerEndpoint = EndpointOf<'docker'>

export const COMPOSE_PROJECT = 'com.docker.compose.project'
export const COMPOSE_SERVICE = 'com.docker.compose.service'
export const COMPOSE_NUMBER = 'com.docker.compose.container-number'
const SWARM_SERVICE = 'com.docker.swarm.service.name'
const SWARM_TASK = 'com.docker.swarm.task.name'

function envOf(env: readonly string[] | null | undefined): Record<string, string> {
  const out: Record<string, string> = {}
  for (const e of env ?? []) {
    const i = e.indexOf('=')
    if (i > 0) out[e.slice(0, i)] = e.slice(i + 1)
  }
  return out
}

type PortBindings = Record<string, { HostIp?: string; HostPort?: string }[] | null>

/** The container's port bindings (dockerode types them as any). */
export function portBindings(info: Docker.ContainerInspectInfo): PortBindings {
  return (info.HostConfig.PortBindings ?? {}) as PortBindings
}

/** Labels and environment can be null in the API's replies, whatever the types say. */
export function labelsOf(info: Docker.ContainerInspectInfo): Record<string, string> {
  return { ...(info.Config.Labels as Record<string, string> | null) }
}

export function envListOf(info: Docker.ContainerInspectInfo): string[] {
  return [...((info.Config.Env as string[] | null) ?? [])]
}

function publishedPorts(info: Docker.ContainerInspectInfo): { host: number; container: string }[] {
  const out: { host: number; container: string }[] = []
  for (const [container, bindings] of Object.entries(portBindings(info)))
    for (const b of bindings ?? []) if (b.HostPort) out.push({ host: Number(b.HostPort), container })
  return out.sort((a, b) => a.host - b.host)
}

/** The port a replica serves on as a backend: PORT, PORT_BASE + SLOT, or its first published port. */
export function backendPort(info: Docker.ContainerInspectInfo): number | null {
  const env = envOf(envListOf(info))
  if (env.PORT && /^\d+$/.test(env.PORT)) return Number(env.PORT)
  if (env.PORT_BASE && env.SLOT && /^\d+$/.test(env.PORT_BASE) && /^\d+$/.test(env.SLOT)) return Number(env.PORT_BASE) + Number(env.SLOT)
  return publishedPorts(info)[0]?.host ?? null
}

export function groupKeyOf(labels: Record<string, string>): string | null {
  if (labels[SWARM_SERVICE]) return `swarm:${labels[SWARM_SERVICE]}`
  if (labels[COMPOSE_PROJECT] && labels[COMPOSE_SERVICE]) return `compose:${labels[COMPOSE_PROJECT]}/${labels[COMPOSE_SERVICE]}`
  return null
}

function slotOf(labels: Record<string, string>): number | null {
  const n = labels[COMPOSE_NUMBER] ?? /^[^.]+\.(\d+)\./.exec(labels[SWARM_TASK] ?? '')?.[1]
  return n && /^\d+$/.test(n) ? Number(n) : null
}

export function toReplica(endpointId: string, info: Docker.ContainerInspectInfo, load: ContainerLoad | null | undefined): Replica {
  const labels = labelsOf(info)
  const health = info.State.Health?.Status
  return {
    endpointId,
    id: info.Id,
    // a Swarm task as `docker service ps` names it (service.slot), not its container's long name
    name: labels[SWARM_SERVICE] && slotOf(labels) !== null ? `${labels[SWARM_SERVICE]}.${slotOf(labels)}` : info.Name.replace(/^\//, ''),
    image: info.Config.Image,
    group: groupKeyOf(labels),
    slot: slotOf(labels),
    port: backendPort(info),
    state: info.State.Status,
    running: info.State.Running,
    health: health === 'healthy' || health === 'unhealthy' || health === 'starting' ? health : 'none',
    restarts: info.RestartCount,
    startedAt: info.State.Running ? Date.parse(info.State.StartedAt) : null,
    ports: publishedPorts(info).map((p) => `${p.host}->${p.container}`),
    labels,
    cpuPct: load?.cpuPct ?? null,
    memPct: load?.memPct ?? null,
    memBytes: load?.memBytes ?? null,
    netRxBps: load?.netRxBps ?? null,
    netTxBps: load?.netTxBps ?? null,
  }
}

/** How a Compose service's next replica gets its own port, judged from one of its containers. */
function composePortRule(info: Docker.ContainerInspectInfo, slot: number): { rule: string; base: number } | { why: string } {
  const env = envOf(envListOf(info))
  if (env.PORT_BASE && env.SLOT && /^\d+$/.test(env.PORT_BASE)) return { rule: `PORT_BASE ${env.PORT_BASE} + container number`, base: Number(env.PORT_BASE) }
  const published = publishedPorts(info)[0]
  if (published) return { rule: `published port ${published.host - slot} + container number`, base: published.host - slot }
  if (env.PORT)
    return {
      why: `every replica would listen on PORT=${env.PORT}; give the service PORT_BASE and SLOT (or a published port) so each replica gets its own port`,
    }
  return { why: 'its containers neither publish a port nor say which one they serve (PORT, or PORT_BASE + SLOT)' }
}

function swarmPortRule(service: Docker.Service): { rule: string; base: number } | { why: string } {
  const spec = service.Spec
  if (!spec?.Mode?.Replicated) return { why: 'a global service runs one task per node; it is scaled by adding nodes' }
  const env = envOf(spec.TaskTemplate && 'ContainerSpec' in spec.TaskTemplate ? spec.TaskTemplate.ContainerSpec?.Env : [])
  if (env.PORT_BASE && /^\d+$/.test(env.PORT_BASE) && env.SLOT === '{{.Task.Slot}}')
    return { rule: `PORT_BASE ${env.PORT_BASE} + {{.Task.Slot}}`, base: Number(env.PORT_BASE) }
  return { why: 'its tasks do not listen on PORT_BASE + {{.Task.Slot}}: give the service SLOT={{.Task.Slot}} and PORT_BASE so each task gets its own port' }
}

/** Stopping one task is how a single replica restarts; Swarm replaces it only under restart condition "any". */
function swarmRestartBlocker(service: Docker.Service): string | null {
  const condition = service.Spec?.TaskTemplate && 'RestartPolicy' in service.Spec.TaskTemplate ? service.Spec.TaskTemplate.RestartPolicy?.Condition : undefined
  return condition && condition !== 'any'
    ? `its restart condition is "${condition}": Swarm does not replace a task that stops cleanly (docker service update --restart-condition any)`
    : null
}

export interface DockerRead {
  groups: ReplicaGroup[]
  containers: Replica[]
}

/** Containers (with their live load from the stats streams) and the Compose and Swarm services they belong to. */
export async function readDocker(endpoint: DockerEndpoint, connections: Connections, opts: { load: boolean } = { load: true }): Promise<DockerRead> {
  const { docker, stats } = await dockerHandle(endpoint, connections)
  const list = await withTimeout('listing containers', 10_000, docker.listContainers({ all: true, filters: labelFilters(endpoint) }))
  const infos = (
    await Promise.all(
      list.map((c) =>
        docker
          .getContainer(c.Id)
          .inspect()
          .catch(() => null),
      ),
    )
  ).filter((i) => i !== null)
  const loads = opts.load ? await stats.loads(infos.filter((i) => i.State.Running).map((i) => i.Id)) : new Map<string, null>()
  // Swarm keeps the containers of replaced tasks as history; they are not replicas any more.
  const live = infos.filter((i) => i.State.Running || !labelsOf(i)[SWARM_SERVICE])
  const containers = live.map((i) => toReplica(endpoint.id, i, loads.get(i.Id)))
  const groups: DockerRead['groups'] = []

  const compose = new Map<string, { info: Docker.ContainerInspectInfo; replica: Replica }[]>()
  live.forEach((info, i) => {
    const key = containers.find((c) => c.id === info.Id)?.group
    if (key?.startsWith('compose:')) compose.set(key, [...(compose.get(key) ?? []), { info, replica: containers[i]! }])
  })
  for (const [key, members] of compose) {
    const running = members.filter((m) => m.replica.running).sort((a, b) => (a.replica.slot ?? 0) - (b.replica.slot ?? 0))
    const template = running[0]
    const rule = template ? composePortRule(template.info, template.replica.slot ?? 1) : { why: 'no running container to copy the configuration from' }
    groups.push({
      key,
      endpointId: endpoint.id,
      kind: 'compose',
      name: key.slice('compose:'.length),
      desired: running.length,
      running: running.length,
      update: null,
      portRule: 'rule' in rule ? rule.rule : null,
      notScalable: 'why' in rule ? rule.why : null,
      notRestartable: null,
      replicas: members.map((m) => m.replica).sort((a, b) => (a.slot ?? 0) - (b.slot ?? 0)),
      portBase: 'base' in rule ? rule.base : null,
    })
  }

  const info = await withTimeout('docker info', 10_000, docker.info() as Promise<{ Swarm?: { LocalNodeState?: string; ControlAvailable?: boolean } }>)
  if (info.Swarm?.LocalNodeState === 'active' && info.Swarm.ControlAvailable) {
    const [services, tasks] = await Promise.all([docker.listServices(), docker.listTasks({ filters: { 'desired-state': ['running'] } })])
    for (const s of services) {
      const name = s.Spec?.Name ?? s.ID
      const key = `swarm:${name}`
      // with a label filter, only the services whose tasks it selects
      if (endpoint.labelFilter && !containers.some((c) => c.group === key)) continue
      const rule = swarmPortRule(s)
      const mine = (tasks as { ServiceID: string; Status?: { State?: string } }[]).filter((t) => t.ServiceID === s.ID)
      groups.push({
        key,
        endpointId: endpoint.id,
        kind: 'swarm',
        name,
        desired: s.Spec?.Mode?.Replicated?.Replicas ?? mine.length,
        running: mine.filter((t) => t.Status?.State === 'running').length,
        update: s.UpdateStatus?.State ?? null,
        portRule: 'rule' in rule ? rule.rule : null,
        notScalable: 'why' in rule ? rule.why : null,
        notRestartable: swarmRestartBlocker(s),
        replicas: containers.filter((c) => c.group === key && c.running).sort((a, b) => (a.slot ?? 0) - (b.slot ?? 0)),
        portBase: 'base' in rule ? rule.base : null,
      })
    }
  }
  return { groups: groups.sort((a, b) => a.key.localeCompare(b.key)), containers: containers.sort((a, b) => a.name.localeCompare(b.name)) }
}
