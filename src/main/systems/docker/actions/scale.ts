import type Docker from 'dockerode'
import type { Environment } from '../../../../shared/inventory'
import type { Replica, ReplicaGroup } from '../../../../shared/systems/docker'
import type { Connections } from '../../../core/connections'
import { SwitchyardError, toConnError } from '../../../core/errors'
import type { ReplicaProvider } from '../../../core/replicas'
import { pollUntil } from '../../../core/wait'
import { dockerClient } from '../docker-client'
import { demuxLogs } from '../docker-logs'
import { COMPOSE_NUMBER, COMPOSE_PROJECT, COMPOSE_SERVICE, envListOf, labelsOf, portBindings, readDocker, toReplica } from '../docker-reader'

const START_TIMEOUT_MS = 90_000
const STOP_GRACE_S = 10

async function clientFor(connections: Connections, group: ReplicaGroup): Promise<Docker> {
  const endpoint = connections.endpoint(group.endpointId)
  if (endpoint.kind !== 'docker') throw new SwitchyardError('config', `"${group.endpointId}" is not a Docker endpoint`)
  return dockerClient(endpoint, connections)
}

function scalable(group: ReplicaGroup): number {
  if (group.notScalable !== null || group.portBase === null)
    throw new SwitchyardError('refused', `${group.name} cannot be scaled: ${group.notScalable ?? 'no port rule'}`)
  return group.portBase
}

/** Compose fills the lowest free container numbers; Swarm fills the lowest free slots. */
function newSlots(group: ReplicaGroup, to: number): number[] {
  const used = new Set((group.kind === 'compose' ? group.replicas : group.replicas.filter((r) => r.running)).map((r) => r.slot))
  const running = group.replicas.filter((r) => r.running).length
  const slots: number[] = []
  for (let n = 1; slots.length < to - running; n++) if (!used.has(n)) slots.push(n)
  return slots
}

/** Both remove the highest slots first (Swarm's own choice on one node; ours for Compose). */
function removed(group: ReplicaGroup, to: number): Replica[] {
  const running = group.replicas.filter((r) => r.running).sort((a, b) => (b.slot ?? 0) - (a.slot ?? 0))
  return running.slice(0, Math.max(0, running.length - to))
}

async function stillRunning(docker: Docker, id: string): Promise<boolean> {
  try {
    return (await docker.getContainer(id).inspect()).State.Running
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return false
    throw err
  }
}

async function replicaOf(docker: Docker, endpointId: string, id: string): Promise<Replica> {
  return toReplica(endpointId, await docker.getContainer(id).inspect(), null)
}

/** Running, and healthy when the image or service defines a health check; a container that exits fails with its last log lines. */
async function waitStarted(docker: Docker, id: string, name: string, signal: AbortSignal): Promise<void> {
  await pollUntil(
    `${name} to start`,
    START_TIMEOUT_MS,
    async () => {
      const info = await docker.getContainer(id).inspect()
      if (!info.State.Running && info.State.Status === 'exited') {
        const logs = demuxLogs(await docker.getContainer(id).logs({ stdout: true, stderr: true, follow: false, tail: 10 }), false)
        throw new SwitchyardError('refused', `${name} exited with code ${info.State.ExitCode}:\n${logs.map((l) => l.text).join('\n')}`)
      }
      const health = info.State.Health?.Status
      if (info.State.Running && (!health || health === 'healthy')) return { done: undefined }
      return { waiting: health ? `health ${health}` : info.State.Status }
    },
    300,
    signal,
  )
}

function envWith(env: readonly string[], key: string, value: string): string[] {
  return [...env.filter((e) => !e.startsWith(`${key}=`)), `${key}=${value}`]
}

/** A new Compose replica: the service's running container's configuration with its own number, slot and port. */
async function createComposeReplica(docker: Docker, template: Docker.ContainerInspectInfo, slot: number, portBase: number): Promise<string> {
  const labels = labelsOf(template)
  const project = labels[COMPOSE_PROJECT]!
  const service = labels[COMPOSE_SERVICE]!
  const name = `${project}-${service}-${slot}`
  const env = envListOf(template)
  const usesSlot = env.some((e) => e.startsWith('SLOT='))
  const published: Record<string, { HostIp?: string; HostPort: string }[]> = {}
  for (const [port, bindings] of Object.entries(portBindings(template)))
    published[port] = (bindings ?? []).map((b) => ({
      ...(b.HostIp ? { HostIp: b.HostIp } : {}),
      HostPort: usesSlot ? (b.HostPort ?? '') : String(portBase + slot),
    }))
  const networks = Object.keys(template.NetworkSettings.Networks)
  const created = await docker.createContainer({
    name,
    Image: template.Config.Image,
    Cmd: template.Config.Cmd,
    Entrypoint: template.Config.Entrypoint ?? undefined,
    Env: usesSlot ? envWith(env, 'SLOT', String(slot)) : env,
    Labels: { ...labels, [COMPOSE_NUMBER]: String(slot) },
    WorkingDir: template.Config.WorkingDir,
    User: template.Config.User,
    ExposedPorts: template.Config.ExposedPorts,
    Healthcheck: template.Config.Healthcheck,
    HostConfig: { ...template.HostConfig, PortBindings: published },
    NetworkingConfig:
      template.HostConfig.NetworkMode === 'host' || networks.length === 0
        ? undefined
        : { EndpointsConfig: Object.fromEntries(networks.map((n) => [n, { Aliases: [service] }])) },
  })
  await created.start()
  return created.id
}

async function composeTemplate(docker: Docker, group: ReplicaGroup): Promise<Docker.ContainerInspectInfo> {
  const running = group.replicas.filter((r) => r.running).sort((a, b) => (a.slot ?? 0) - (b.slot ?? 0))[0]
  if (!running) throw new SwitchyardError('refused', `${group.name} has no running container to copy the configuration from`)
  return docker.getContainer(running.id).inspect()
}

async function swarmService(docker: Docker, group: ReplicaGroup): Promise<Docker.Service> {
  const services = await docker.listServices({ filters: { name: [group.name] } })
  const service = services.find((s) => s.Spec?.Name === group.name)
  if (!service) throw new SwitchyardError('refused', `Swarm service ${group.name} no longer exists`)
  return service
}

interface SwarmTask {
  ID: string
  Slot?: number
  ServiceID: string
  DesiredState?: string
  Status?: { State?: string; ContainerStatus?: { ContainerID?: string } }
}

async function runningTasks(docker: Docker, serviceId: string): Promise<SwarmTask[]> {
  const tasks = (await docker.listTasks({ filters: { service: [serviceId] } })) as SwarmTask[]
  return tasks.filter((t) => t.Status?.State === 'running' && t.DesiredState === 'running')
}

/** `docker service update --replicas`, sent with the service's version so a concurrent change is refused rather than overwritten. */
async function setReplicas(docker: Docker, group: ReplicaGroup, to: number): Promise<Docker.Service> {
  const service = await swarmService(docker, group)
  const spec = service.Spec!
  try {
    await docker.getService(service.ID).update({ version: service.Version?.Index, ...spec, Mode: { Replicated: { Replicas: to } } })
  } catch (err) {
    throw new SwitchyardError('refused', `docker service update ${group.name}: ${toConnError(err).message}`)
  }
  return service
}

async function waitSlots(
  docker: Docker,
  service: Docker.Service,
  group: ReplicaGroup,
  want: (slots: Set<number>, tasks: SwarmTask[]) => string | null,
  signal: AbortSignal,
): Promise<SwarmTask[]> {
  return pollUntil<SwarmTask[]>(
    `${group.name} tasks`,
    START_TIMEOUT_MS,
    async () => {
      const tasks = await runningTasks(docker, service.ID)
      const waiting = want(new Set(tasks.map((t) => t.Slot ?? 0)), tasks)
      return waiting === null ? { done: tasks } : { waiting }
    },
    300,
    signal,
  )
}

export const dockerReplicas: ReplicaProvider = {
  async read(environment: Environment, connections: Connections) {
    const endpoints = environment.endpoints.filter((e) => e.kind === 'docker')
    const results = await Promise.all(
      endpoints.map(async (e) => {
        try {
          return { endpointId: e.id, read: await readDocker(e, connections) }
        } catch (err) {
          return { endpointId: e.id, error: toConnError(err, connections.secretValues()).message }
        }
      }),
    )
    return {
      groups: results.flatMap((r) => r.read?.groups ?? []),
      containers: results.flatMap((r) => r.read?.containers ?? []),
      errors: results.flatMap((r) => (r.error ? [{ endpointId: r.endpointId, message: r.error }] : [])),
    }
  },

  portsFor(group, to) {
    const base = scalable(group)
    return newSlots(group, to).map((s) => base + s)
  },

  removedBy: removed,

  scaleCommands(group, to) {
    const running = group.replicas.filter((r) => r.running)
    if (group.kind === 'swarm') return [`docker service update --replicas ${to} ${group.name}   (POST /services/{id}/update?version=<current>)`]
    if (to > running.length) {
      const template = [...running].sort((a, b) => (a.slot ?? 0) - (b.slot ?? 0))[0]
      const [project, service] = group.name.split('/')
      return newSlots(group, to).map(
        (n) => `docker run -d --name ${project}-${service}-${n} <the configuration of ${template?.name ?? '?'}> --label ${COMPOSE_NUMBER}=${n} -e SLOT=${n}`,
      )
    }
    return removed(group, to).flatMap((r) => [`docker stop -t ${STOP_GRACE_S} ${r.name}`, `docker rm ${r.name}`])
  },

  restartCommands(group, replica) {
    return group.kind === 'swarm'
      ? [`docker stop -t ${STOP_GRACE_S} ${replica.id.slice(0, 12)}   (task ${replica.name}; Swarm starts a new task in slot ${replica.slot ?? '?'})`]
      : [`docker restart -t ${STOP_GRACE_S} ${replica.name}`]
  },

  async scaleOut(connections, group, to, progress, signal) {
    const docker = await clientFor(connections, group)
    const base = scalable(group)
    const slots = newSlots(group, to)
    if (group.kind === 'swarm') {
      progress(`docker service update --replicas ${to} ${group.name}`)
      const service = await setReplicas(docker, group, to)
      const tasks = await waitSlots(
        docker,
        service,
        group,
        (have) => {
          const missing = slots.filter((s) => !have.has(s))
          return missing.length ? `slots ${missing.join(', ')} not running yet` : null
        },
        signal,
      )
      const ids = slots.map((s) => tasks.find((t) => t.Slot === s)?.Status?.ContainerStatus?.ContainerID).filter((id): id is string => !!id)
      return Promise.all(ids.map((id) => replicaOf(docker, group.endpointId, id)))
    }
    const template = await composeTemplate(docker, group)
    const out: Replica[] = []
    for (const slot of slots) {
      progress(`creating replica ${slot} of ${group.name} on port ${base + slot}`)
      const id = await createComposeReplica(docker, template, slot, base)
      await waitStarted(docker, id, `replica ${slot}`, signal)
      out.push(await replicaOf(docker, group.endpointId, id))
    }
    return out
  },

  async scaleIn(connections, group, to, progress, signal) {
    const docker = await clientFor(connections, group)
    const gone = removed(group, to)
    if (group.kind === 'swarm') {
      progress(`docker service update --replicas ${to} ${group.name}`)
      await setReplicas(docker, group, to)
      // Swarm marks the tasks for shutdown at once; their containers get their stop grace period.
      await pollUntil(
        `the tasks of ${group.name} to stop`,
        START_TIMEOUT_MS,
        async () => {
          const still = (await Promise.all(gone.map(async (r) => ((await stillRunning(docker, r.id)) ? [r.name] : [])))).flat()
          return still.length ? { waiting: `${still.join(', ')} still running` } : { done: undefined }
        },
        300,
        signal,
      )
      return gone
    }
    for (const r of gone) {
      progress(`stopping ${r.name}`)
      await docker
        .getContainer(r.id)
        .stop({ t: STOP_GRACE_S })
        .catch((err: unknown) => {
          if ((err as { statusCode?: number }).statusCode !== 304) throw err
        })
      await docker.getContainer(r.id).remove()
    }
    return gone
  },

  async restart(connections, group, replica, progress, signal) {
    const docker = await clientFor(connections, group)
    if (group.kind === 'compose') {
      progress(`docker restart ${replica.name}`)
      await docker.getContainer(replica.id).restart({ t: STOP_GRACE_S })
      await waitStarted(docker, replica.id, replica.name, signal)
      return replicaOf(docker, group.endpointId, replica.id)
    }
    const service = await swarmService(docker, group)
    progress(`stopping task ${replica.name}; Swarm replaces it in slot ${replica.slot ?? '?'}`)
    await docker.getContainer(replica.id).stop({ t: STOP_GRACE_S })
    const fresh = (t: SwarmTask) => t.Slot === replica.slot && t.Status?.ContainerStatus?.ContainerID !== replica.id
    const tasks = await waitSlots(docker, service, group, (_, all) => (all.some(fresh) ? null : `no new task in slot ${replica.slot ?? '?'} yet`), signal)
    const successor = tasks.find(fresh)?.Status?.ContainerStatus?.ContainerID
    if (!successor) throw new SwitchyardError('timeout', `Swarm did not start a new task in slot ${replica.slot ?? '?'}`)
    await waitStarted(docker, successor, `slot ${replica.slot ?? '?'}`, signal)
    return replicaOf(docker, group.endpointId, successor)
  },
}
