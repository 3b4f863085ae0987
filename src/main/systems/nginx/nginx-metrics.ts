import type { AppTier } from '../../../shared/systems/nginx'
import { metric, type MetricSample } from '../../core/metrics/samples'

const m = {
  up: metric('nginx_up', 'Whether stub_status answered'),
  active: metric('nginx_connections_active', 'Active client connections'),
  reading: metric('nginx_connections_reading', 'Connections reading the request'),
  writing: metric('nginx_connections_writing', 'Connections writing the response'),
  waiting: metric('nginx_connections_waiting', 'Idle keepalive connections'),
  requests: metric('switchyard_nginx_requests_per_second', 'Requests per second between the last two stub_status reads'),
  backendUp: metric('switchyard_nginx_backend_up', 'Whether a backend answers its health probe (drained backends are left out)'),
  latency: metric('switchyard_nginx_backend_latency_ms', "A backend's health-probe latency"),
  failures: metric('switchyard_nginx_backend_failures', 'Upstream errors nginx logged for a backend in the error log tail'),
  drained: metric('switchyard_nginx_backend_drained', 'Whether a backend is marked down in the upstream'),
  response: metric(
    'switchyard_nginx_upstream_response_ms',
    "An upstream's response time over the last minute, from nginx's access log (quantile 0.5 and 0.95)",
  ),
}

/** stub_status with nginx-prometheus-exporter's names, and each upstream backend's health. */
export function nginxSamples(t: AppTier): MetricSample[] {
  return [
    ...m.up({}, t.stub !== null),
    ...(t.stub
      ? [
          ...m.active({}, t.stub.active),
          ...m.reading({}, t.stub.reading),
          ...m.writing({}, t.stub.writing),
          ...m.waiting({}, t.stub.waiting),
          ...m.requests({}, t.stub.requestsPerSec),
        ]
      : []),
    ...t.latency.flatMap((l) => [
      ...m.response({ upstream: l.upstream, quantile: '0.5' }, l.p50Ms),
      ...m.response({ upstream: l.upstream, quantile: '0.95' }, l.p95Ms),
    ]),
    ...t.upstreams.flatMap((u) =>
      u.backends.flatMap((b) => {
        const at = { upstream: u.name, server: b.address }
        return [
          ...m.drained(at, b.down),
          ...(b.down ? [] : m.backendUp(at, b.health !== 'critical')),
          ...m.latency(at, b.probe.latencyMs),
          ...m.failures(at, b.failures),
        ]
      }),
    ),
  ]
}
