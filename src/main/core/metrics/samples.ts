/**
 * One value for the Prometheus exporter. Names follow the exporters teams already graph
 * (oliver006 redis_exporter, prometheus-community postgres_exporter, nginx-prometheus-exporter)
 * where they measure the same thing; what none of them has is named switchyard_*.
 */
export interface MetricSample {
  name: string
  help: string
  type?: 'gauge' | 'counter'
  labels: Record<string, string>
  value: number
}

/** A sample builder bound to one metric's name and help text. */
export function metric(name: string, help: string, type: MetricSample['type'] = 'gauge') {
  return (labels: Record<string, string>, value: number | boolean | null | undefined): MetricSample[] =>
    value === null || value === undefined ? [] : [{ name, help, type, labels, value: typeof value === 'boolean' ? Number(value) : value }]
}
