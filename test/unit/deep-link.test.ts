import { describe, expect, it } from 'vitest'
import { deepLinkInArgs, deepLinkUrl, isDeepLinkHash, parseDeepLink, routeDeepLink, type DeepLink } from '../../src/shared/deep-link'
import { alertLinkTemplate, prometheusRules } from '../../src/shared/domain/prom-rules'
import { DEFAULT_RULES } from '../../src/shared/domain/alert-eval'

const inventory = [
  {
    name: 'lab',
    endpoints: [
      { id: 'redis', name: 'Redis Cluster', kind: 'redis-cluster' as const },
      { id: 'postgres', name: 'PostgreSQL', kind: 'postgres' as const },
      { id: 'web', name: 'Edge nginx', kind: 'nginx' as const },
    ],
  },
]

/** Go's url.QueryEscape for what labels hold: what Prometheus's urlquery writes. */
const queryEscape = (s: string) => encodeURIComponent(s).replace(/%20/g, '+')
const expand = (template: string, labels: Record<string, string>) =>
  template.replace(/\{\{ \$labels\.(\w+) \| urlquery \}\}/g, (_, l: string) => queryEscape(labels[l] ?? ''))

describe('switchyard:// links', () => {
  it('reads the open form with an endpoint by id or name and a node, in the URL and in the hash', () => {
    expect(parseDeepLink('switchyard://open/lab/redis/redis/127.0.0.1%3A7001')).toEqual({
      kind: 'open',
      environment: 'lab',
      view: 'redis',
      endpoint: 'redis',
      node: '127.0.0.1:7001',
    })
    expect(parseDeepLink('#/open/lab/mongo/Mongo+Router/rs0+127.0.0.1:27018')).toMatchObject({ endpoint: 'Mongo Router', node: 'rs0 127.0.0.1:27018' })
    expect(parseDeepLink('switchyard://open/lab/postgres/')).toEqual({ kind: 'open', environment: 'lab', view: 'postgres' })
    expect(parseDeepLink('open/lab/app/Edge%20nginx/api%2Bv2')).toMatchObject({ endpoint: 'Edge nginx', node: 'api+v2' })
  })

  it('reads an incident window in epoch milliseconds or ISO dates', () => {
    expect(parseDeepLink('switchyard://incident/lab?from=1000&to=5000')).toEqual({ kind: 'incident', environment: 'lab', from: 1000, to: 5000 })
    expect(parseDeepLink('#/incident/lab?from=2026-12-07T01:00:00Z&to=2026-12-07T02:00:00Z')).toMatchObject({
      from: Date.UTC(2026, 11, 7, 1),
      to: Date.UTC(2026, 11, 7, 2),
    })
  })

  it.each([
    ['switchyard://delete/lab', /"delete" is not a Switchyard link/],
    ['switchyard://open/Lab Prod/redis', /not an environment name/],
    ['switchyard://open/lab/shell', /"shell" is not a view/],
    ['switchyard://open/lab', /an open link is/],
    ['switchyard://open/lab/redis/a/b/c', /an open link is/],
    ['switchyard://open/lab/redis/%E0%A4%A', /not a valid percent-encoded part/],
    ['switchyard://incident/lab?from=1000', /needs to=/],
    ['switchyard://incident/lab?from=5000&to=1000', /to must be after from/],
    ['switchyard://incident/lab?from=yesterday&to=1000', /neither epoch milliseconds nor an ISO date/],
    [`switchyard://open/lab/redis/${'x'.repeat(3000)}`, /longer than 2048/],
  ])('refuses %s with the reason', (link, reason) => {
    expect(() => parseDeepLink(link)).toThrow(reason)
  })

  it('writes what it reads', () => {
    const links: DeepLink[] = [
      { kind: 'open', environment: 'lab', view: 'app', endpoint: 'Edge nginx', node: 'api 127.0.0.1:8081' },
      { kind: 'open', environment: 'prod-eu', view: 'alerts' },
      { kind: 'incident', environment: 'lab', from: 1, to: 2 },
    ]
    for (const l of links) expect(parseDeepLink(deepLinkUrl(l))).toEqual(l)
    expect(deepLinkUrl(links[0]!)).toBe('switchyard://open/lab/app/Edge%20nginx/api%20127.0.0.1%3A8081')
  })

  it('finds a link among the arguments a second instance was started with, and tells the link form of a hash', () => {
    expect(deepLinkInArgs(['/opt/Switchyard/switchyard', '--no-sandbox', 'switchyard://open/lab/redis'])).toBe('switchyard://open/lab/redis')
    expect(deepLinkInArgs(['/opt/Switchyard/switchyard'])).toBeUndefined()
    expect(isDeepLinkHash('#/open/lab/redis')).toBe(true)
    expect(isDeepLinkHash('#/redis/lab/redis')).toBe(false)
  })
})

describe('routing a link in the inventory', () => {
  it('lands on the endpoint by id, by name or by name in another case, on the page of its kind, with the node', () => {
    expect(routeDeepLink(parseDeepLink('switchyard://open/lab/redis/redis/127.0.0.1%3A7001'), inventory)).toEqual({
      viewId: 'redis',
      environment: 'lab',
      endpointId: 'redis',
      node: '127.0.0.1:7001',
    })
    expect(routeDeepLink(parseDeepLink('switchyard://open/lab/postgres/PostgreSQL/pg2'), inventory)).toMatchObject({ endpointId: 'postgres', node: 'pg2' })
    expect(routeDeepLink(parseDeepLink('switchyard://open/lab/app/edge+NGINX'), inventory)).toMatchObject({ viewId: 'app', endpointId: 'web' })
    // a link that names another view (node-down's overview, a notification's alerts) goes to the endpoint's own page
    expect(routeDeepLink(parseDeepLink('switchyard://open/lab/overview/Redis+Cluster/127.0.0.1:7002'), inventory)).toMatchObject({
      viewId: 'redis',
      endpointId: 'redis',
    })
  })

  it('says what it could not find and opens the nearest view that exists', () => {
    expect(routeDeepLink(parseDeepLink('switchyard://open/prod/redis/redis'), inventory)).toEqual({
      viewId: 'overview',
      notice: expect.stringMatching(/no environment "prod"/) as string,
    })
    expect(routeDeepLink(parseDeepLink('switchyard://open/lab/redis/Old+Cluster/x'), inventory)).toEqual({
      viewId: 'redis',
      environment: 'lab',
      notice: 'lab has no endpoint "Old Cluster"',
    })
  })

  it('opens an incident window on the timeline', () => {
    expect(routeDeepLink(parseDeepLink('switchyard://incident/lab?from=10&to=20'), inventory)).toEqual({
      viewId: 'timeline',
      environment: 'lab',
      from: 10,
      to: 20,
    })
  })

  it("an exported rule's switchyard_url, expanded as Prometheus does, routes to the node that fired", () => {
    const rules = prometheusRules('lab', DEFAULT_RULES).groups[0]!.rules
    const lag = rules.find((r) => r.labels.switchyard_metric === 'pg-lag-seconds')!
    expect(lag.annotations.switchyard_url).toBe('switchyard://open/lab/postgres/{{ $labels.endpoint | urlquery }}/{{ $labels.subject | urlquery }}')
    expect(rules.every((r) => r.annotations.switchyard_url?.startsWith('switchyard://open/lab/'))).toBe(true)
    const url = expand(alertLinkTemplate('lab', 'node-down'), { endpoint: 'Redis Cluster', subject: '127.0.0.1:7001' })
    expect(url).toBe('switchyard://open/lab/overview/Redis+Cluster/127.0.0.1%3A7001')
    expect(routeDeepLink(parseDeepLink(url), inventory)).toEqual({ viewId: 'redis', environment: 'lab', endpointId: 'redis', node: '127.0.0.1:7001' })
    const backend = expand(alertLinkTemplate('lab', 'backend-down'), { endpoint: 'Edge nginx', subject: 'api 127.0.0.1:8081' })
    expect(routeDeepLink(parseDeepLink(backend), inventory)).toMatchObject({ viewId: 'app', endpointId: 'web', node: 'api 127.0.0.1:8081' })
  })
})
