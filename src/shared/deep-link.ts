import { EnvironmentName } from './primitives'
import type { EndpointKind } from './inventory'

/**
 * Switchyard's links, one form in two places: switchyard://open/<env>/<view>[/<endpoint>[/<node>]]
 * and switchyard://incident/<env>?from=…&to=… from outside (an alert notification, a chat, a
 * runbook), and the same after "#/" in web mode's address. The endpoint is its id or its name.
 */
export type DeepLink =
  { kind: 'open'; environment: string; view: LinkView; endpoint?: string; node?: string } | { kind: 'incident'; environment: string; from: number; to: number }

export const DEEP_LINK_SCHEME = 'switchyard'

export const LINK_VIEWS = [
  'overview',
  'redis',
  'sentinel',
  'mongo',
  'postgres',
  'app',
  'capacity',
  'alerts',
  'timeline',
  'procedures',
  'environments',
  'hosts',
  'audit',
] as const
export type LinkView = (typeof LINK_VIEWS)[number]

/** The page that shows an endpoint of each kind; an SSH host has none (it is reached through others). */
export const VIEW_OF_KIND: Record<EndpointKind, LinkView> = {
  'redis-cluster': 'redis',
  'redis-sentinel': 'sentinel',
  mongo: 'mongo',
  postgres: 'postgres',
  nginx: 'app',
  docker: 'app',
  pgbouncer: 'postgres',
  ssh: 'environments',
}

const MAX_LINK = 2048

export class DeepLinkError extends Error {}

/**
 * Segments are percent-encoded; "+" is a space as well, because Prometheus's urlquery (Go's
 * QueryEscape) writes spaces so in the switchyard_url annotation. A literal plus is %2B.
 */
function segment(raw: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '))
  } catch {
    throw new DeepLinkError(`"${raw}" is not a valid percent-encoded part`)
  }
}

const encode = (s: string) => encodeURIComponent(s)

function instant(raw: string | null, name: string): number {
  if (raw === null || raw === '') throw new DeepLinkError(`an incident link needs ${name}=`)
  const n = /^\d+$/.test(raw) ? Number(raw) : Date.parse(raw)
  if (!Number.isFinite(n)) throw new DeepLinkError(`${name}=${raw} is neither epoch milliseconds nor an ISO date`)
  return n
}

/** A switchyard:// URL, or the part after "#/" of a web-mode address; throws DeepLinkError saying what is wrong. */
export function parseDeepLink(link: string): DeepLink {
  if (link.length > MAX_LINK) throw new DeepLinkError(`a link longer than ${MAX_LINK} characters`)
  const rest = link.startsWith(`${DEEP_LINK_SCHEME}://`) ? link.slice(DEEP_LINK_SCHEME.length + 3) : link.replace(/^#?\/?/, '')
  const [path = '', query = ''] = rest.split('?', 2)
  const [action, ...parts] = path.replace(/\/+$/, '').split('/')
  const environment = segment(parts[0] ?? '')
  if (!EnvironmentName.safeParse(environment).success) throw new DeepLinkError(`"${environment}" is not an environment name`)
  if (action === 'incident') {
    if (parts.length !== 1) throw new DeepLinkError('an incident link is switchyard://incident/<environment>?from=…&to=…')
    const params = new URLSearchParams(query)
    const from = instant(params.get('from'), 'from')
    const to = instant(params.get('to'), 'to')
    if (to <= from) throw new DeepLinkError('an incident ends after it starts (to must be after from)')
    return { kind: 'incident', environment, from, to }
  }
  if (action !== 'open') throw new DeepLinkError(`"${action ?? ''}" is not a Switchyard link (open/… or incident/…)`)
  if (parts.length < 2 || parts.length > 4) throw new DeepLinkError('an open link is switchyard://open/<environment>/<view>[/<endpoint>[/<node>]]')
  const view = segment(parts[1]!)
  if (!(LINK_VIEWS as readonly string[]).includes(view)) throw new DeepLinkError(`"${view}" is not a view (${LINK_VIEWS.join(', ')})`)
  const endpoint = parts[2] === undefined ? undefined : segment(parts[2])
  const node = parts[3] === undefined ? undefined : segment(parts[3])
  return { kind: 'open', environment, view: view as LinkView, ...(endpoint ? { endpoint } : {}), ...(node ? { node } : {}) }
}

/** The link's path: what follows switchyard:// or "#/". */
export function deepLinkPath(link: DeepLink): string {
  if (link.kind === 'incident') return `incident/${encode(link.environment)}?from=${link.from}&to=${link.to}`
  return ['open', link.environment, link.view, link.endpoint, link.node]
    .filter((p): p is string => p !== undefined)
    .map(encode)
    .join('/')
}

export const deepLinkUrl = (link: DeepLink) => `${DEEP_LINK_SCHEME}://${deepLinkPath(link)}`

/** Whether a location hash is in the link form (rather than the app's own #/<view>/… form). */
export const isDeepLinkHash = (hash: string) => /^#?\/?(open|incident)\//.test(hash)

/** The first switchyard:// argument of a command line (how Windows and Linux hand a link to a second instance). */
export const deepLinkInArgs = (argv: readonly string[]) => argv.find((a) => a.startsWith(`${DEEP_LINK_SCHEME}://`))

export interface LinkInventory {
  name: string
  endpoints: readonly { id: string; name: string; kind: EndpointKind }[]
}

/** Where a link lands in the app, and what it could not find on the way (said, not guessed past). */
export interface LinkTarget {
  viewId: LinkView
  environment?: string
  endpointId?: string
  node?: string
  from?: number
  to?: number
  notice?: string
}

/**
 * A link against this app's inventory: the endpoint by id, else by name (an exported rule names
 * it), on the page that shows its kind. What the link names and the app does not know is a notice
 * and the nearest view that exists.
 */
export function routeDeepLink(link: DeepLink, inventory: readonly LinkInventory[]): LinkTarget {
  const env = inventory.find((e) => e.name === link.environment)
  if (!env) return { viewId: 'overview', notice: `This app has no environment "${link.environment}" (the link came from another inventory?)` }
  if (link.kind === 'incident') return { viewId: 'timeline', environment: env.name, from: link.from, to: link.to }
  if (link.endpoint === undefined) return { viewId: link.view, environment: env.name }
  const endpoint =
    env.endpoints.find((e) => e.id === link.endpoint) ??
    env.endpoints.find((e) => e.name === link.endpoint) ??
    env.endpoints.find((e) => e.name.toLowerCase() === link.endpoint!.toLowerCase())
  if (!endpoint) return { viewId: link.view, environment: env.name, notice: `${env.name} has no endpoint "${link.endpoint}"` }
  const viewId = VIEW_OF_KIND[endpoint.kind]
  return { viewId, environment: env.name, endpointId: endpoint.id, ...(link.node ? { node: link.node } : {}) }
}
