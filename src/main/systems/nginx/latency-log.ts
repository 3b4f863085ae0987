import type { UpstreamLatency } from '../../../shared/systems/nginx'
import { percentile } from '../../../shared/domain/percentile'

/**
 * The access-log format Switchyard reads response times from: when nginx proxies to an upstream
 * block, $proxy_host is the upstream's name, and $upstream_response_time the time each try took
 * ("0.004", "0.010, 0.003" after a retry, "-" when no backend was reached). Documented for users:
 *
 *   log_format switchyard '$msec $proxy_host $status $upstream_response_time';
 *   access_log /var/log/nginx/switchyard.log switchyard;
 */
export const LATENCY_FORMAT = '$msec $proxy_host $status $upstream_response_time'

/** Whether a log_format (its parts joined) starts with the fields Switchyard reads. */
export function isLatencyFormat(format: string): boolean {
  return format.replace(/\s+/g, ' ').trim().startsWith(LATENCY_FORMAT)
}

export interface LatencyEntry {
  at: number
  upstream: string
  status: number
  /** The whole upstream time of the request: every try added up. */
  ms: number
}

const LINE = /^(\d{9,11}\.\d{3}) (\S+) (\d{3}) ([\d.]+(?:, [\d.]+)*)(?: |$)/

/** Lines of the switchyard format; lines that are not (a request nginx answered itself, a torn line) are passed over. */
export function parseLatencyLines(text: string): LatencyEntry[] {
  const out: LatencyEntry[] = []
  for (const line of text.split('\n')) {
    const m = LINE.exec(line)
    if (!m) continue
    const ms = m[4]!.split(', ').reduce((sum, t) => sum + Number(t) * 1000, 0)
    out.push({ at: Math.round(Number(m[1]) * 1000), upstream: m[2]!, status: Number(m[3]), ms })
  }
  return out
}

/** p50 and p95 per upstream over the window ending at `now`. */
export function upstreamLatency(entries: readonly LatencyEntry[], now: number, windowMs: number): UpstreamLatency[] {
  const byUpstream = new Map<string, number[]>()
  for (const e of entries) {
    if (e.at <= now - windowMs || e.at > now) continue
    const ms = byUpstream.get(e.upstream)
    if (ms) ms.push(e.ms)
    else byUpstream.set(e.upstream, [e.ms])
  }
  return [...byUpstream]
    .map(([upstream, ms]) => {
      const sorted = ms.sort((a, b) => a - b)
      return { upstream, p50Ms: percentile(sorted, 50)!, p95Ms: percentile(sorted, 95)!, requests: sorted.length, windowS: windowMs / 1000 }
    })
    .sort((a, b) => a.upstream.localeCompare(b.upstream))
}

/** How much of a log one read takes at most: a busy nginx writes more than a round should carry over SSH. */
export const MAX_READ_BYTES = 4 * 1024 * 1024
/** Where a first read starts: the recent end of the file, not its whole history. */
export const FIRST_READ_BYTES = 256 * 1024

/**
 * Follows one access log by byte offset: each read takes only what was appended since the last
 * (from the recent end the first time, from the start again when the file was rotated), and keeps
 * the entries of the last window for the percentiles.
 */
export class LatencyLog {
  private offset: number | null = null
  private entries: LatencyEntry[] = []

  constructor(private readonly keepMs = 5 * 60_000) {}

  /** Where to read from, given the file's size now. */
  from(size: number): number {
    if (this.offset === null || size < this.offset) return Math.max(0, size - FIRST_READ_BYTES)
    return this.offset
  }

  /** What was read from `from`; a partial last line waits for the next read. */
  take(from: number, text: string, now: number): void {
    const complete = text.lastIndexOf('\n') + 1
    // starting mid-file, the first line is a fragment
    const start = from > 0 && this.offset === null ? text.indexOf('\n') + 1 : 0
    this.offset = from + Buffer.byteLength(text.slice(0, complete))
    this.entries = [...this.entries.filter((e) => e.at > now - this.keepMs), ...parseLatencyLines(text.slice(start, complete))]
  }

  latency(now: number, windowMs = 60_000): UpstreamLatency[] {
    return upstreamLatency(this.entries, now, windowMs)
  }
}
