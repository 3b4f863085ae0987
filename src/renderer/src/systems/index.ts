import { lazy, type ComponentType } from 'react'
import type { SystemKind } from '../../../shared/health'
import type { LinkView } from '../../../shared/deep-link'
import type { EndpointKind } from '../../../shared/inventory'

export interface SystemView {
  id: LinkView
  label: string
  system: SystemKind
  /** The endpoint kind the page shows; its URL is #/<id>/<environment>/<endpointId>. */
  endpointKind: EndpointKind
  page: ComponentType
}

/** The renderer's registry of system pages, each loaded only when first opened. Adding a system's page is one line here. */
export const systemViews: readonly SystemView[] = [
  { id: 'redis', label: 'Redis Cluster', system: 'redis', endpointKind: 'redis-cluster', page: lazy(() => import('./redis/RedisPage')) },
  { id: 'sentinel', label: 'Redis Sentinel', system: 'sentinel', endpointKind: 'redis-sentinel', page: lazy(() => import('./sentinel/SentinelPage')) },
  { id: 'mongo', label: 'MongoDB', system: 'mongo', endpointKind: 'mongo', page: lazy(() => import('./mongo/MongoPage')) },
  { id: 'postgres', label: 'PostgreSQL', system: 'postgres', endpointKind: 'postgres', page: lazy(() => import('./postgres/PostgresPage')) },
  { id: 'app', label: 'App tier', system: 'nginx', endpointKind: 'nginx', page: lazy(() => import('./nginx/AppTierPage')) },
]

/** The page that shows an endpoint of this kind, if there is one. */
export function viewForEndpoint(kind: EndpointKind): SystemView | undefined {
  return systemViews.find((v) => v.endpointKind === kind)
}
