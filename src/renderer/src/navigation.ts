import { lazy, type ComponentType } from 'react'
import type { LinkView } from '../../shared/deep-link'
import { parseHash, type HashRoute } from './routes'
import { systemViews } from './systems'
import { OverviewPage } from './views/overview/OverviewPage'

export interface NavView {
  /** A view a switchyard:// link can name. */
  id: LinkView
  label: string
  page: ComponentType
}

/** Everything in the navigation, in order: the overview (in the first chunk: it is the first screen), the systems, then the app's own views. */
export const navViews: readonly NavView[] = [
  { id: 'overview', label: 'Overview', page: OverviewPage },
  ...systemViews,
  { id: 'capacity', label: 'Capacity', page: lazy(() => import('./views/capacity/CapacityPage')) },
  { id: 'alerts', label: 'Alerts', page: lazy(() => import('./views/alerts/AlertsPage')) },
  { id: 'timeline', label: 'Timeline', page: lazy(() => import('./views/timeline/TimelinePage')) },
  { id: 'procedures', label: 'Procedures', page: lazy(() => import('./views/procedures/ProceduresPage')) },
  { id: 'environments', label: 'Environments', page: lazy(() => import('./views/environments/EnvironmentsPage')) },
  { id: 'hosts', label: 'Known hosts', page: lazy(() => import('./views/hosts/KnownHostsPage')) },
  { id: 'audit', label: 'Audit log', page: lazy(() => import('./views/audit/AuditPage')) },
]

export interface Route extends Omit<HashRoute, 'viewId'> {
  view: NavView
}

export function routeFromHash(hash: string): Route {
  const { viewId, ...rest } = parseHash(hash)
  return { view: navViews.find((v) => v.id === viewId) ?? navViews[0]!, ...rest }
}
