/**
 * The address of a view in the location hash: #/<view>/<environment>/<endpoint>/<node>, and
 * ?from=…&to=… for a time window. Pages read and change it through here, never through the view
 * list (navigation.ts), which imports the pages. Links of the switchyard:// form (#/open/…) are
 * turned into this form by useDeepLinkHash.
 */
export interface HashRoute {
  viewId: string
  environment?: string
  endpointId?: string
  /** A node, standby, member or backend the page shows in its table, highlighted. */
  node?: string
  from?: number
  to?: number
}

const decode = (s: string | undefined) => {
  try {
    return s ? decodeURIComponent(s) : undefined
  } catch {
    return undefined
  }
}

export function parseHash(hash: string): HashRoute {
  const [path = '', query = ''] = hash.replace(/^#\/?/, '').split('?', 2)
  const [viewId = '', environment, endpointId, node] = path.split('/').map((s) => decode(s) ?? '')
  const params = new URLSearchParams(query)
  const instant = (name: string) => (/^\d+$/.test(params.get(name) ?? '') ? Number(params.get(name)) : undefined)
  const from = instant('from')
  const to = instant('to')
  return {
    viewId,
    ...(environment ? { environment } : {}),
    ...(endpointId ? { endpointId } : {}),
    ...(node ? { node } : {}),
    ...(from !== undefined && to !== undefined ? { from, to } : {}),
  }
}

export function routeHash(r: HashRoute): string {
  const path = [r.viewId, r.environment, r.endpointId, r.node]
  const last = path.findLastIndex((p) => p !== undefined)
  const window = r.from !== undefined && r.to !== undefined ? `?from=${r.from}&to=${r.to}` : ''
  return `#/${path
    .slice(0, last + 1)
    .map((p) => encodeURIComponent(p ?? ''))
    .join('/')}${window}`
}

export function navigate(viewId: string, environment?: string, endpointId?: string, node?: string): void {
  location.hash = routeHash({ viewId, environment, endpointId, node })
}

/** The node the address names, for the page's table to highlight. */
export const linkedNode = (): string | undefined => parseHash(location.hash).node
