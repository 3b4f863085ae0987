import type { AlertMetric } from '../../../shared/alerts'
import { METRIC_LABEL } from '../../../shared/domain/alert-eval'
import { alertMetricName } from '../../../shared/domain/prom-rules'
import type { MetricSample } from '../../core/metrics/samples'
import type { ServiceHub } from '../../core/service-hub'
import { observeEnvironment, type EnvironmentObservation } from '../alerts/observe-environment'

/**
 * One collection for the exporter: every environment observed within the deadline (an environment
 * that cannot be read is switchyard_environment_up 0), the alert states the watch loop stored, and
 * the action outcomes from the audit trail and the journal.
 */
export async function collectSamples(hub: ServiceHub, environments: readonly string[], deadlineMs: number): Promise<MetricSample[]> {
  const samples: MetricSample[] = []
  await Promise.all(
    environments.map(async (env) => {
      try {
        const observation = await observeEnvironment(hub, env, deadlineMs)
        samples.push(...environmentSamples(env, observation), ...alertSamples(hub, env))
      } catch (err) {
        samples.push(environmentUp(env, 0))
        console.error(`exporter: ${env}: ${(err as Error).message}`)
      }
    }),
  )
  samples.push(...actionSamples(hub))
  return samples
}

/** The alert states the watch loop stored, read only. */
function alertSamples(hub: ServiceHub, env: string): MetricSample[] {
  const active = hub.alerts.active(env)
  const counts = new Map<string, number>()
  for (const a of active) counts.set(`${a.state}|${a.level}`, (counts.get(`${a.state}|${a.level}`) ?? 0) + 1)
  return ['pending', 'firing'].flatMap((state) =>
    ['warn', 'critical'].map((level) => ({
      name: 'switchyard_alerts',
      help: "Alerts pending or firing by the app's own rules",
      labels: { env, state, level },
      value: counts.get(`${state}|${level}`) ?? 0,
    })),
  )
}
const environmentUp = (env: string, value: number): MetricSample => ({
  name: 'switchyard_environment_up',
  help: 'Whether the environment could be read from the inventory',
  labels: { env },
  value,
})

/** Every endpoint's samples labelled with env and endpoint, whether it could be read and how long it took, and the alert rules' inputs. */
export function environmentSamples(env: string, o: EnvironmentObservation): MetricSample[] {
  const out: MetricSample[] = [environmentUp(env, 1)]
  const failed = new Set(o.endpoints.filter((e) => e.error).map((e) => e.endpointId))
  const names = new Map(o.endpoints.map((e) => [e.endpointId, e.name]))
  for (const e of o.endpoints) {
    const at = { env, endpoint: e.name, system: e.system }
    out.push(
      { name: 'switchyard_endpoint_up', help: 'Whether the endpoint could be read within the scrape deadline', labels: at, value: e.error ? 0 : 1 },
      { name: 'switchyard_endpoint_read_seconds', help: 'How long reading the endpoint took', labels: at, value: e.durationMs / 1000 },
      ...e.samples.map((s) => ({ ...s, labels: { ...s.labels, env, endpoint: e.name } })),
    )
    // an endpoint that could not be read at all is one node down, named by the endpoint (its error changes from scrape to scrape)
    if (e.error) out.push({ name: alertMetricName('node-down'), help: helpOf('node-down'), labels: { env, endpoint: e.name, subject: e.name }, value: 1 })
  }
  for (const v of o.values)
    if (!failed.has(v.endpointId))
      out.push({
        name: alertMetricName(v.metric),
        help: helpOf(v.metric),
        labels: {
          env,
          endpoint: names.get(v.endpointId) ?? v.endpointId,
          subject: v.subject,
          // a forecast's subject is "<resource> <node…>": the resource is a label of its own
          ...(v.metric === 'capacity-seconds-left' ? { resource: v.subject.split(' ')[0]! } : {}),
        },
        value: v.value,
      })
  return out
}

const helpOf = (metric: AlertMetric) => `${METRIC_LABEL[metric]}: what the app's alert rule ${metric} watches, per subject`

function actionSamples(hub: ServiceHub): MetricSample[] {
  const finished = hub.audit.outcomes().map((r) => ({
    name: 'switchyard_actions_total',
    help: 'Actions finished, by kind and outcome (from the audit trail)',
    type: 'counter' as const,
    labels: { env: r.environment, action: r.kind, outcome: r.outcome },
    value: r.count,
  }))
  const interrupted = hub.journal.interruptedCounts().map((r) => ({
    name: 'switchyard_actions_interrupted',
    help: 'Action runs whose process died midway, not yet resumed, rolled back or resolved (from the action journal)',
    type: 'gauge' as const,
    labels: { env: r.environment },
    value: r.count,
  }))
  return [...finished, ...interrupted]
}
