import { z } from 'zod'

/** Where a chart's points came from: the environment's Prometheus (up to a time) and the app's own store after it. */
export const HistorySource = z.object({
  /** The environment's Prometheus URL, null when it names none. */
  prometheus: z.string().nullable(),
  /** The newest point Prometheus gave; the app's store fills from there on. */
  prometheusUntil: z.number().nullable(),
  /** Why Prometheus could not be read (the chart then shows the app's store alone). */
  error: z.string().nullable(),
})
export type HistorySource = z.infer<typeof HistorySource>
