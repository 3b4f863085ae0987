import { z } from 'zod'
import type { HistorySource } from '../../../shared/history'
import type { Environment } from '../../../shared/inventory'
import { SwitchyardError, toConnError } from '../errors'
import type { HistoryPoint, HistoryStore } from './history-store'

/** One PromQL query of a chart and how each of its series maps to a field of the app's own history group. */
export interface PromField {
  query: string
  /** The local field a series fills ("pg2.seconds"), from its labels; null leaves the series out. */
  field: (labels: Record<string, string>) => string | null
}

/** A PromQL string literal. */
export function promString(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`
}

/** The exporter's labels of one endpoint of an environment, as a PromQL selector body. */
export function endpointSelector(environment: Environment, endpointId: string): string {
  const name = environment.endpoints.find((e) => e.id === endpointId)?.name ?? endpointId
  return `env=${promString(environment.name)},endpoint=${promString(name)}`
}

const RangeReply = z.object({
  status: z.literal('success'),
  data: z.object({
    resultType: z.literal('matrix'),
    result: z.array(z.object({ metric: z.record(z.string(), z.string()), values: z.array(z.tuple([z.number(), z.string()])) })),
  }),
})

const QUERY_TIMEOUT_MS = 5000

/** /api/v1/query_range: every series of a query over [start, end] at one step. */
export async function rangeQuery(
  baseUrl: string,
  query: string,
  startMs: number,
  endMs: number,
  stepMs: number,
): Promise<{ labels: Record<string, string>; points: [number, number | null][] }[]> {
  const url = new URL('api/v1/query_range', baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`)
  url.search = new URLSearchParams({
    query,
    start: String(startMs / 1000),
    end: String(endMs / 1000),
    step: `${Math.max(1, Math.round(stepMs / 1000))}s`,
  }).toString()
  let reply: Response
  try {
    reply = await fetch(url, { signal: AbortSignal.timeout(QUERY_TIMEOUT_MS) })
  } catch (err) {
    const e = toConnError((err as { cause?: unknown }).cause ?? err)
    throw new SwitchyardError(e.code, `Prometheus at ${baseUrl} did not answer: ${e.message}`)
  }
  const text = await reply.text()
  if (!reply.ok) throw new SwitchyardError('other', `Prometheus at ${baseUrl} refused the query (HTTP ${reply.status}): ${text.slice(0, 200)}`)
  let parsed: z.infer<typeof RangeReply>
  try {
    parsed = RangeReply.parse(JSON.parse(text))
  } catch {
    throw new SwitchyardError('protocol', `Prometheus at ${baseUrl} sent a reply that is not a range-query result`)
  }
  return parsed.data.result.map((r) => ({
    labels: r.metric,
    points: r.values.map(([t, v]): [number, number | null] => [Math.round(t * 1000), Number.isFinite(Number(v)) ? Number(v) : null]),
  }))
}

/**
 * A chart's history: from the environment's Prometheus when it names one (a team's 30 days, kept
 * while no workstation watched), then the app's own store for what Prometheus does not have yet;
 * the app's store alone when there is no Prometheus or it cannot be read.
 */
export async function readHistory(
  history: HistoryStore,
  environment: Environment,
  scope: string,
  fields: readonly PromField[],
  sinceMs: number,
  untilMs: number,
  maxPoints: number,
): Promise<{ points: HistoryPoint[]; source: HistorySource }> {
  const prometheus = environment.prometheusUrl ?? null
  const local = (from: number) => history.read(scope, from, untilMs, maxPoints)
  if (!prometheus || fields.length === 0) return { points: local(sinceMs), source: { prometheus, prometheusUntil: null, error: null } }
  try {
    const stepMs = Math.max(1000, Math.ceil((untilMs - sinceMs) / maxPoints))
    const series = (
      await Promise.all(
        fields.map(async (f) => (await rangeQuery(prometheus, f.query, sinceMs, untilMs, stepMs)).map((s) => ({ ...s, field: f.field(s.labels) }))),
      )
    ).flat()
    const byTime = new Map<number, HistoryPoint>()
    for (const s of series) {
      if (s.field === null) continue
      for (const [at, v] of s.points) {
        const p = byTime.get(at) ?? { at, values: {} }
        p.values[s.field] = v
        byTime.set(at, p)
      }
    }
    const remote = [...byTime.values()].sort((a, b) => a.at - b.at)
    const until = remote.at(-1)?.at ?? null
    return { points: [...remote, ...local(until ?? sinceMs)], source: { prometheus, prometheusUntil: until, error: null } }
  } catch (err) {
    return { points: local(sinceMs), source: { prometheus, prometheusUntil: null, error: (err as Error).message } }
  }
}
