import { CAPACITY_CRITICAL_DAYS, CAPACITY_WARN_DAYS, type CapacityForecast, type CapacityGauge, type CapacityUnit } from '../capacity'
import { formatBytes, formatSeconds } from './units'

const DAY_S = 86_400

/** How long until: "45 min", "19 h", "3.2 days", "5 weeks". */
export function formatLeft(seconds: number): string {
  if (seconds < 3600) return `${Math.max(1, Math.round(seconds / 60))} min`
  if (seconds < 10 * 3600) return `${(seconds / 3600).toFixed(1)} h`
  if (seconds < 2 * DAY_S) return `${Math.round(seconds / 3600)} h`
  if (seconds < 21 * DAY_S) return `${(seconds / DAY_S).toFixed(1)} days`
  return `${Math.round(seconds / (7 * DAY_S))} weeks`
}

/** "14–26 h": both ends in the larger end's unit when they share one. */
export function formatLeftInterval([low, high]: readonly [number, number | null]): string {
  if (high === null) return `${formatLeft(low)} or never`
  const a = formatLeft(low)
  const b = formatLeft(high)
  const unit = (s: string) => s.replace(/^[\d.]+ /, '')
  return unit(a) === unit(b) ? `${a.replace(/ .*$/, '')}–${b}` : `${a} – ${b}`
}

export function formatAmount(value: number, unit: CapacityUnit): string {
  if (unit === 'bytes') return formatBytes(value)
  if (unit === 'xids') return value < 1e6 ? `${Math.round(value)} XIDs` : `${(value / 1e6).toFixed(value >= 1e8 ? 0 : 1)} M XIDs`
  if (unit === 'seconds') return formatSeconds(value)
  if (unit === 'rps') return `${value.toFixed(value < 10 ? 1 : 0)} req/s`
  return String(Math.round(value))
}

/** Where it stands against its limit: "now 5.0 MiB of 8.0 MiB", or for what shrinks toward a floor "now 30.0 h, floor 24.0 h". */
export function standingText(g: Pick<CapacityGauge, 'value' | 'limit' | 'unit' | 'direction'>): string {
  const now = formatAmount(g.value, g.unit)
  return g.direction === 'down' ? `now ${now}, floor ${formatAmount(g.limit, g.unit)}` : `now ${now} of ${formatAmount(g.limit, g.unit)}`
}

/** The trend's change a day, signed: "+1.2 MiB a day", "−1.0 h a day". */
export function perDayText(perDay: number, unit: CapacityUnit): string {
  return `${perDay < 0 ? '−' : '+'}${formatAmount(Math.abs(perDay), unit)} a day`
}

/** How much of the limit is used, or for a floor how far above it it is: "63 %", "1.3 × the floor". */
export function usedText(g: Pick<CapacityGauge, 'value' | 'limit' | 'direction'>): string {
  if (g.limit <= 0) return '—'
  const ratio = g.value / g.limit
  return g.direction === 'down' ? `${ratio.toFixed(1)} × the floor` : `${(ratio * 100).toFixed(ratio < 0.01 ? 2 : 0)} %`
}

/** What each kind of resource is, said about its subject: "pg1: WAL kept for slot pg_old". */
export function capacityLabel(g: Pick<CapacityGauge, 'kind' | 'subject'>): string {
  const [node, part] = g.subject.split('/')
  switch (g.kind) {
    case 'redis-memory':
      return `${g.subject}: memory`
    case 'pg-wal-retained':
      return `${node}: WAL kept for slot ${part}`
    case 'pg-database-size':
      return `${node}: database ${part}`
    case 'pg-connections':
      return `${g.subject}: connections`
    case 'pg-xid-age':
      return `${g.subject}: transaction ID age`
    case 'mongo-shard-data':
      return `${g.subject}: data`
    case 'mongo-oplog-window':
      return `${g.subject}: oplog window`
    case 'app-requests-per-replica':
      return `${g.subject}: requests per replica`
  }
}

const REACHES: Record<CapacityGauge['kind'], string> = {
  'redis-memory': 'reaches',
  'pg-wal-retained': 'fills',
  'pg-database-size': 'fills',
  'pg-connections': 'reach',
  'pg-xid-age': 'reaches',
  'mongo-shard-data': 'fills',
  'mongo-oplog-window': 'falls to',
  'app-requests-per-replica': 'reach',
}

/** The seconds left by the sooner of two forecasts; 0 once exhausted; null when neither sees it run out. */
export function soonest(...forecasts: CapacityForecast[]): { secondsLeft: number | null; forecast: CapacityForecast } {
  let best: { secondsLeft: number | null; forecast: CapacityForecast } = { secondsLeft: null, forecast: forecasts[0]! }
  for (const f of forecasts) {
    const left = f.kind === 'exhausted' ? 0 : f.kind === 'runs-out' ? f.secondsLeft : null
    if (left !== null && (best.secondsLeft === null || left < best.secondsLeft)) best = { secondsLeft: left, forecast: f }
  }
  return best
}

export function capacityStatus(secondsLeft: number | null, forecast: CapacityForecast): 'ok' | 'warn' | 'critical' | 'unknown' {
  if (secondsLeft !== null && secondsLeft <= CAPACITY_CRITICAL_DAYS * DAY_S) return 'critical'
  if (secondsLeft !== null && secondsLeft <= CAPACITY_WARN_DAYS * DAY_S) return 'warn'
  return forecast.kind === 'insufficient' ? 'unknown' : 'ok'
}

/** The forecast in a few words, for a table cell or a badge: "in 19 h (14–26 h)", "no trend". */
export function forecastWords(f: CapacityForecast): string {
  switch (f.kind) {
    case 'runs-out':
      return `in ${formatLeft(f.secondsLeft)} (${formatLeftInterval(f.secondsLeftInterval)})`
    case 'exhausted':
      return 'at its limit'
    case 'no-trend':
      return f.reason.startsWith('moving away') ? 'shrinking' : 'no trend'
    case 'insufficient':
      return 'not enough history yet'
  }
}

/** One line a DBA reads: "pg1: WAL kept for slot pg_old fills the free space of /var/lib/postgresql in 19 h (14–26 h)". */
export function capacitySummary(g: CapacityGauge, f: CapacityForecast): string {
  const pct = (g.value / g.limit) * 100
  const share =
    g.direction === 'down' ? ` (floor ${g.limitLabel})` : g.limit > 0 ? ` (${pct > 0 && pct < 1 ? '<1' : Math.round(pct)} % of ${g.limitLabel})` : ''
  switch (f.kind) {
    case 'runs-out':
      return `${capacityLabel(g)} ${REACHES[g.kind]} ${g.limitLabel} in ${formatLeft(f.secondsLeft)} (${formatLeftInterval(f.secondsLeftInterval)})`
    case 'exhausted':
      return g.direction === 'down'
        ? `${capacityLabel(g)} is ${formatAmount(g.value, g.unit)}, below ${g.limitLabel}`
        : `${capacityLabel(g)} is at ${g.limitLabel}`
    case 'no-trend':
      return `${capacityLabel(g)}: ${formatAmount(g.value, g.unit)}${share}, ${f.reason}`
    case 'insufficient':
      return `${capacityLabel(g)}: ${formatAmount(g.value, g.unit)}${share}; ${f.reason}`
  }
}

/** What a DBA does about it, where the app has no one-click fix. */
export const CAPACITY_REMEDY: Record<CapacityGauge['kind'], string> = {
  'redis-memory': 'add a master and rebalance, or raise maxmemory',
  'pg-wal-retained': 'bring the slot’s consumer back, or drop the slot',
  'pg-database-size': 'grow the filesystem, or delete or archive data',
  'pg-connections': 'pool the clients (pgbouncer) or raise max_connections',
  'pg-xid-age': 'VACUUM (FREEZE) the oldest database; look for long transactions and stale slots',
  'mongo-shard-data': 'add a shard so the balancer spreads the data, or grow the members’ disks',
  'mongo-oplog-window':
    'grow the oplog (replSetResizeOplog on every member) or cut the write volume; a member down longer than the window needs an initial sync',
  'app-requests-per-replica': 'scale the service out before the load gets there, or let a scaling policy do it',
}
