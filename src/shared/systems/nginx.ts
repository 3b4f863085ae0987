import { z } from 'zod'
import { OfferedFix } from '../actions'
import { HealthStatus } from '../health'
import { EndpointId, EnvironmentName, Host, Port, endpointBase, viaSsh } from '../primitives'
import { Replica, ReplicaGroup } from './docker'
import { HistorySource } from '../history'

export const NginxEndpoint = z.object({
  ...endpointBase,
  ...viaSsh,
  kind: z.literal('nginx'),
  /** stub_status URL, e.g. http://10.0.0.5:8081/nginx_status */
  statusUrl: z.url(),
  /** The SSH host nginx runs on: needed to read its configuration and to change upstreams. */
  sshHostId: EndpointId.optional(),
  /** nginx -c (default: the binary's compiled-in path). */
  configPath: z.string().optional(),
  /** nginx -p, for an nginx started with a prefix. */
  prefix: z.string().optional(),
  /** Path each backend is probed on directly (HTTP GET), e.g. /health. */
  probePath: z
    .string()
    .regex(/^\/[A-Za-z0-9._~!$&'()*+,;=:@/?%-]*$/, 'a URL path starting with /')
    .optional(),
})

const BackendAddress = z
  .string()
  .regex(/^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\]):\d{1,5}$/, 'host:port')
  .refine((a) => Host.safeParse(a.replace(/:\d+$/, '')).success && Port.safeParse(Number(a.split(':').at(-1))).success, 'not a valid host:port')
export const UpstreamName = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'not an upstream name')
/** Parameters of an upstream `server` line, e.g. max_fails=3; nginx -t has the last word on their values. */
const ServerParam = z.string().regex(/^[a-z_]+(=[A-Za-z0-9.]+)?$/, 'a server parameter such as max_fails=3 or backup')

const target = { environment: z.string(), endpointId: z.string() }

export const AppScaleRequest = z.object({ ...target, kind: z.literal('app.scale'), upstream: UpstreamName, replicas: z.number().int().min(1).max(50) })
export const AppDrainRequest = z.object({ ...target, kind: z.literal('app.drain'), upstream: UpstreamName, server: BackendAddress, down: z.boolean() })
export const AppRestartRequest = z.object({ ...target, kind: z.literal('app.restart'), upstream: UpstreamName })
export const NginxAddBackendRequest = z.object({
  ...target,
  kind: z.literal('nginx.add-backend'),
  upstream: UpstreamName,
  server: BackendAddress,
  params: z.array(ServerParam).max(10).default([]),
})
export const NginxRemoveBackendRequest = z.object({ ...target, kind: z.literal('nginx.remove-backend'), upstream: UpstreamName, server: BackendAddress })

export const nginxActionRequests = [AppScaleRequest, AppDrainRequest, AppRestartRequest, NginxAddBackendRequest, NginxRemoveBackendRequest] as const

export const BackendProbe = z.object({ status: z.number().nullable(), latencyMs: z.number().nullable(), error: z.string().nullable() })

export const UpstreamBackend = z.object({
  address: z.string(),
  weight: z.number(),
  maxFails: z.number(),
  failTimeout: z.string(),
  maxConns: z.number().nullable(),
  backup: z.boolean(),
  down: z.boolean(),
  line: z.number(),
  probe: BackendProbe,
  /** Upstream errors nginx logged for this backend in the error log's tail. */
  failures: z.number(),
  lastFailure: z.object({ at: z.number(), message: z.string() }).nullable(),
  /** The container or Swarm task serving it, when one matches its port. */
  replica: Replica.nullable(),
  health: HealthStatus,
})
export type UpstreamBackend = z.infer<typeof UpstreamBackend>

export const UpstreamView = z.object({
  name: z.string(),
  file: z.string(),
  line: z.number(),
  method: z.string(),
  keepalive: z.number().nullable(),
  backends: z.array(UpstreamBackend),
  /** The listen addresses of the server blocks that proxy to it. */
  front: z.array(z.string()),
  /** The Docker service whose replicas serve most of its backends. */
  group: z.string().nullable(),
})
export type UpstreamView = z.infer<typeof UpstreamView>

export const StubSample = z.object({
  at: z.number(),
  active: z.number(),
  reading: z.number(),
  writing: z.number(),
  waiting: z.number(),
  requestsPerSec: z.number().nullable(),
  acceptsPerSec: z.number().nullable(),
})
export type StubSample = z.infer<typeof StubSample>

export const AppFinding = z.object({
  status: HealthStatus,
  code: z.enum([
    'cpu-high',
    'memory-high',
    'backend-down',
    'backend-drained',
    'replicas-missing',
    'not-running',
    'no-live-backend',
    'config-unreadable',
    'docker-unreachable',
  ]),
  reason: z.string(),
  fix: OfferedFix.optional(),
})
export type AppFinding = z.infer<typeof AppFinding>

/** Response times nginx logged for an upstream over the last window (its switchyard access-log format). */
export const UpstreamLatency = z.object({ upstream: z.string(), p50Ms: z.number(), p95Ms: z.number(), requests: z.number(), windowS: z.number() })
export type UpstreamLatency = z.infer<typeof UpstreamLatency>

/** What a service's week says about its size. */
export const RightSizing = z.object({
  service: z.string(),
  coveredHours: z.number(),
  cpuAvg: z.number().nullable(),
  cpuP95: z.number().nullable(),
  memAvg: z.number().nullable(),
  memP95: z.number().nullable(),
  replicasAvg: z.number().nullable(),
  advice: z.enum(['fewer', 'more', 'keep', 'wait']),
  /** The replica count the numbers suggest. */
  replicas: z.number().nullable(),
  reason: z.string(),
})
export type RightSizing = z.infer<typeof RightSizing>

export const LatencySeries = z.object({
  upstream: z.string(),
  points: z.array(z.object({ at: z.number(), p50Ms: z.number().nullable(), p95Ms: z.number().nullable() })),
})
export type LatencySeries = z.infer<typeof LatencySeries>

export const ServerBlockView = z.object({
  file: z.string(),
  line: z.number(),
  listen: z.array(z.string()),
  serverNames: z.array(z.string()),
  locations: z.array(z.object({ path: z.string(), proxyPass: z.string().nullable() })),
})

export const AppTier = z.object({
  environment: z.string(),
  endpointId: z.string(),
  checkedAt: z.number(),
  durationMs: z.number(),
  nginxVersion: z.string().nullable(),
  /** Why the configuration could not be read (no SSH host, nginx -T failed), or null. */
  configError: z.string().nullable(),
  configFiles: z.array(z.string()),
  upstreams: z.array(UpstreamView),
  servers: z.array(ServerBlockView),
  stub: StubSample.nullable(),
  stubError: z.string().nullable(),
  reloads: z.array(z.object({ at: z.number(), message: z.string() })),
  failures: z.array(z.object({ at: z.number(), level: z.string(), upstream: z.string().nullable(), message: z.string() })),
  groups: z.array(ReplicaGroup),
  containers: z.array(Replica),
  dockerErrors: z.array(z.object({ endpointId: z.string(), message: z.string() })),
  findings: z.array(AppFinding),
  /** Per upstream, from the access log in the switchyard format; empty when nginx logs none. */
  latency: z.array(UpstreamLatency).default([]),
  /** The access log read for them, or why none is. */
  latencyLog: z.object({ path: z.string().nullable(), note: z.string().nullable() }).default({ path: null, note: null }),
  status: HealthStatus,
  reason: z.string(),
})
export type AppTier = z.infer<typeof AppTier>

const which = { name: EnvironmentName, endpointId: EndpointId.optional() }

export const nginxRequests = {
  /** nginx's upstreams joined with the Docker replicas behind them, probes, stub_status, reloads, findings. */
  'app:tier': { input: z.object(which), output: AppTier },
  /** stub_status samples recorded by earlier 'app:tier' calls, for the rate charts. */
  'app:stub-history': {
    input: z.object({ ...which, sinceMs: z.number().optional() }),
    output: z.object({ samples: z.array(StubSample), source: HistorySource }),
  },
  /** Each service behind the endpoint's upstreams, right-sized from its last 7 days per replica. */
  'app:rightsize': { input: z.object(which), output: z.array(RightSizing) },
  /** p50 and p95 response time per upstream over time, from the access log in the switchyard format. */
  'app:latency-history': {
    input: z.object({ ...which, sinceMs: z.number().optional() }),
    output: z.object({ series: z.array(LatencySeries), source: HistorySource }),
  },
} as const
