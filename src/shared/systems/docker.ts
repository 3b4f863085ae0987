import { z } from 'zod'
import { EndpointId, EnvironmentName, Host, Port, endpointBase } from '../primitives'

export const DockerConnection = z.discriminatedUnion('type', [
  z.object({ type: z.literal('socket'), path: z.string().min(1) }),
  z.object({
    type: z.literal('tcp'),
    host: Host,
    port: Port.default(2376),
    tls: z.boolean().default(true),
    caPath: z.string().optional(),
    certPath: z.string().optional(),
    keyPath: z.string().optional(),
  }),
  z.object({ type: z.literal('ssh'), sshHostId: EndpointId, socketPath: z.string().default('/var/run/docker.sock') }),
])

export const DockerEndpoint = z.object({
  ...endpointBase,
  kind: z.literal('docker'),
  connection: DockerConnection,
  /** Only containers carrying this label (key or key=value) are shown. */
  labelFilter: z.string().optional(),
})

const ContainerRef = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/, 'not a container name or id')

export const DockerRestartRequest = z.object({
  environment: z.string(),
  endpointId: z.string(),
  kind: z.literal('docker.restart'),
  container: ContainerRef,
})

export const dockerActionRequests = [DockerRestartRequest] as const

/** One container as the app tier sees it: what it runs, how it is doing, and the backend port it serves. */
export const Replica = z.object({
  endpointId: z.string(),
  id: z.string(),
  name: z.string(),
  image: z.string(),
  /** "compose:<project>/<service>" or "swarm:<service>", null for a container in neither. */
  group: z.string().nullable(),
  /** Compose container number or Swarm task slot. */
  slot: z.number().nullable(),
  /** The port it serves as a backend: PORT, PORT_BASE + SLOT, or its first published port. */
  port: z.number().nullable(),
  state: z.string(),
  running: z.boolean(),
  health: z.enum(['healthy', 'unhealthy', 'starting', 'none']),
  restarts: z.number(),
  startedAt: z.number().nullable(),
  ports: z.array(z.string()),
  labels: z.record(z.string(), z.string()),
  cpuPct: z.number().nullable(),
  memPct: z.number().nullable(),
  memBytes: z.number().nullable(),
  netRxBps: z.number().nullable(),
  netTxBps: z.number().nullable(),
})
export type Replica = z.infer<typeof Replica>

/** A Compose service (by its labels) or a Swarm service, with its replicas. */
export const ReplicaGroup = z.object({
  key: z.string(),
  endpointId: z.string(),
  kind: z.enum(['compose', 'swarm']),
  name: z.string(),
  desired: z.number(),
  running: z.number(),
  /** Swarm's UpdateStatus.State when an update is or was in progress. */
  update: z.string().nullable(),
  /** How a new replica's port is chosen, e.g. "PORT_BASE 9100 + slot". */
  portRule: z.string().nullable(),
  /** A new replica in slot n serves on portBase + n. */
  portBase: z.number().nullable(),
  /** Why Switchyard cannot scale it, or null when it can. */
  notScalable: z.string().nullable(),
  /** Why Switchyard cannot restart its replicas one at a time, or null when it can. */
  notRestartable: z.string().nullable(),
  replicas: z.array(Replica),
})
export type ReplicaGroup = z.infer<typeof ReplicaGroup>

export const DockerLogLine = z.object({ at: z.string(), stream: z.enum(['stdout', 'stderr']), text: z.string() })
export type DockerLogLine = z.infer<typeof DockerLogLine>

export const dockerRequests = {
  /** The last lines of a container's log; pass `since` (the last line's `at`) to follow. */
  'docker:logs': {
    input: z.object({
      name: EnvironmentName,
      endpointId: EndpointId,
      container: ContainerRef,
      since: z.string().optional(),
      tail: z.number().int().min(1).max(5000).optional(),
    }),
    output: z.object({ lines: z.array(DockerLogLine) }),
  },
} as const
