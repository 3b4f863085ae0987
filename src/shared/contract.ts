import { z } from 'zod'
import { ActionPlan, ActionProgress, ActionResult, ActionRun, AuditRecord } from './actions'
import { ActionRequest } from './action-requests'
import { alertEvents, alertRequests } from './alerts'
import { ConnError, EndpointFinding, EnvironmentHealth, SystemHealth } from './health'
import { Environment, EnvironmentName, EnvironmentView, SecretInput } from './inventory'
import { systemEvents, systemRequests } from './systems'
import { timelineRequests } from './timeline'
import { autoscaleRequests } from './autoscale'
import { capacityRequests } from './capacity'
import { procedureEvents, procedureRequests } from './procedures'

/**
 * THE contract between the renderer and the main-process services. Both transports (Electron IPC
 * and the web-mode WebSocket) carry exactly these messages, and main parses every one of them
 * with these schemas before a service sees it.
 */
const empty = z.object({}).strict()

export const KnownHost = z.object({
  host: z.string(),
  port: z.number().int(),
  algorithm: z.string(),
  fingerprint: z.string(),
  addedAt: z.number(),
})
export type KnownHost = z.infer<typeof KnownHost>

export const Settings = z.object({
  refreshIntervalMs: z.number().int().min(500).max(300_000),
  /** The metric history's size cap; the oldest samples go first. */
  historyMaxMb: z.number().int().min(16).max(1_000_000).optional(),
})
export type Settings = z.infer<typeof Settings>

export const AppInfo = z.object({
  mode: z.enum(['electron', 'web']),
  version: z.string(),
  dataDir: z.string(),
  secretBackend: z.object({ kind: z.string(), warning: z.string().optional() }),
})
export type AppInfo = z.infer<typeof AppInfo>

export const requests = {
  'app:info': { input: empty, output: AppInfo },
  'settings:get': { input: empty, output: Settings },
  'settings:set': { input: Settings, output: Settings },

  'env:list': { input: empty, output: z.array(EnvironmentView) },
  'env:save': {
    input: z.object({ environment: Environment, secrets: SecretInput.default({}), previousName: EnvironmentName.optional() }),
    output: EnvironmentView,
  },
  'env:remove': { input: z.object({ name: EnvironmentName }), output: z.object({ removed: z.boolean() }) },
  'env:export': { input: z.object({ name: EnvironmentName }), output: z.object({ yaml: z.string() }) },
  'env:import': { input: z.object({ yaml: z.string().max(1_000_000), overwrite: z.boolean().default(false) }), output: EnvironmentView },
  /** Test-connect one endpoint of an environment being edited, before it is saved. */
  'endpoint:test': {
    input: z.object({ environment: Environment, endpointId: z.string(), secrets: SecretInput.default({}) }),
    output: SystemHealth,
  },

  'hostkey:list': { input: empty, output: z.array(KnownHost) },
  'hostkey:forget': { input: z.object({ host: z.string(), port: z.number().int() }), output: z.object({ removed: z.boolean() }) },
  /** Trust a host's first key after someone compared its fingerprint; refused when another key is trusted there. */
  'hostkey:trust': {
    input: z.object({
      host: z.string().min(1).max(255),
      port: z.number().int().min(1).max(65535),
      algorithm: z.string().max(64),
      fingerprint: z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}$/),
    }),
    output: KnownHost,
  },

  'health:env': { input: z.object({ name: EnvironmentName }), output: EnvironmentHealth },
  /** Start (or retune) the live overview for this client; snapshots arrive as 'overview:update'. */
  'overview:watch': { input: z.object({ intervalMs: z.number().int().min(500).max(300_000).optional() }), output: z.object({ intervalMs: z.number() }) },
  'overview:unwatch': { input: empty, output: z.object({}) },

  'action:plan': { input: ActionRequest, output: ActionPlan },
  'action:run': { input: z.object({ planId: z.string(), confirm: z.string() }), output: ActionResult },
  'action:cancel': { input: z.object({ planId: z.string() }), output: z.object({ cancelled: z.boolean() }) },
  /** The journal: recent runs of an environment's actions, newest first, with how far each got. */
  'actions:runs': { input: z.object({ name: EnvironmentName, limit: z.number().int().min(1).max(500).default(50) }), output: z.array(ActionRun) },
  'audit:list': { input: z.object({ limit: z.number().int().min(1).max(1000).default(100) }), output: z.array(AuditRecord) },
  /** What every endpoint of an environment says needs attention, each with its fix when there is one. */
  'findings:env': { input: z.object({ name: EnvironmentName }), output: z.array(EndpointFinding) },

  ...alertRequests,
  ...timelineRequests,
  ...procedureRequests,
  ...autoscaleRequests,
  ...capacityRequests,
  ...systemRequests,
} as const

export const events = {
  'overview:update': z.object({ environments: z.array(EnvironmentHealth), intervalMs: z.number() }),
  'action:progress': ActionProgress,
  /** Where the desktop app was asked to go: a switchyard:// link's path (open/…, incident/…) or a view of the app's own (#/alerts). */
  'app:open-link': z.object({ path: z.string().max(2048) }),
  ...alertEvents,
  ...procedureEvents,
  ...systemEvents,
} as const

export type RequestChannel = keyof typeof requests
export type EventChannel = keyof typeof events
export type RequestInput<C extends RequestChannel> = z.input<(typeof requests)[C]['input']>
export type RequestOutput<C extends RequestChannel> = z.infer<(typeof requests)[C]['output']>
export type EventPayload<E extends EventChannel> = z.infer<(typeof events)[E]>

export function isRequestChannel(name: unknown): name is RequestChannel {
  return typeof name === 'string' && Object.hasOwn(requests, name)
}

/** A reply on either transport: the value, or an error a person can read. */
export const Reply = z.discriminatedUnion('ok', [z.object({ ok: z.literal(true), value: z.unknown() }), z.object({ ok: z.literal(false), error: ConnError })])
export type Reply = z.infer<typeof Reply>

/** What the preload exposes and what the web client implements: the renderer sees only this. */
export interface SwitchyardApi {
  request<C extends RequestChannel>(channel: C, input: RequestInput<C>): Promise<RequestOutput<C>>
  on<E extends EventChannel>(event: E, listener: (payload: EventPayload<E>) => void): () => void
}

/** What the preload exposes as window.switchyardBridge: raw replies, unpacked and re-parsed by the renderer's api. */
export interface SwitchyardBridge {
  request(channel: string, input: unknown): Promise<Reply>
  on(event: string, listener: (payload: unknown) => void): () => void
}
