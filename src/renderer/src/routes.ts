/**
 * The address of a view in the location hash: #/<view>/<environment>/<endpoint>. Pages read and
 * change it through here, never through the view list (navigation.ts), which imports the pages.
 */
export interface HashRoute {
  viewId: string
  environment?: string
  endpointId?: string
}

export function parseHash(hash: string): HashRoute {
  const [viewId = '', environment, endpointId] = hash.replace(/^#\/?/, '').split('/')
  return { viewId, ...(environment ? { environment } : {}), ...(endpointId ? { endpointId } : {}) }
}

export function navigate(viewId: string, environment?: string, endpointId?: string): void {
  location.hash = `#/${[viewId, environment, endpointId].filter(Boolean).join('/')}`
}
