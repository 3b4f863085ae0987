/**
 * The replica load thresholds the seeds' scaling guides use (scale out above 70 % CPU, look at
 * memory above 80 % of the limit): one definition for the app-tier findings, the default alert
 * rules and the colours of the app-tier view.
 */
export const REPLICA_LOAD = { cpuHighPct: 70, memHighPct: 80 } as const
