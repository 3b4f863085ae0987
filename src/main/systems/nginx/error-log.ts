/** One line of nginx's error log that matters to the app tier. */
export interface ErrorLogEvent {
  at: number
  level: string
  message: string
  /** The backend address for upstream errors, from `upstream: "http://10.0.0.5:8000/…"`. */
  upstream: string | null
  kind: 'upstream' | 'reload' | 'other'
}

const LINE = /^(\d{4})\/(\d\d)\/(\d\d) (\d\d):(\d\d):(\d\d) \[(\w+)\] \d+#\d+: (?:\*\d+ )?(.*)$/

/** Parse error-log lines (times are the nginx host's local time, read as this machine's). */
export function parseErrorLog(text: string): ErrorLogEvent[] {
  const out: ErrorLogEvent[] = []
  for (const line of text.split('\n')) {
    const m = LINE.exec(line)
    if (!m) continue
    const [, y, mo, d, h, mi, s, level, message] = m
    const at = new Date(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)).getTime()
    const upstream = /upstream: "[a-z]+:\/\/([^/"]+)/.exec(message!)?.[1] ?? null
    const isUpstream =
      upstream !== null &&
      /while (connecting to|reading response header from|sending request to) upstream|upstream timed out|upstream prematurely closed|no live upstreams/.test(
        message!,
      )
    const isReload = /signal 1 \(SIGHUP\) received|reconfiguring/.test(message!)
    out.push({ at, level: level!, message: message!, upstream, kind: isUpstream ? 'upstream' : isReload ? 'reload' : 'other' })
  }
  return out
}

/**
 * Upstream errors logged over the last window as a share of the requests nginx served in it
 * (stub_status's rate): the error rate the seeds page on, without access-log parsing.
 */
export function upstreamErrorPct(failures: { at: number }[], requestsPerSec: number | null, now: number, windowMs = 60_000): number | null {
  if (requestsPerSec === null) return null
  const errors = failures.filter((f) => f.at > now - windowMs).length
  const requests = (requestsPerSec * windowMs) / 1000
  if (requests < 1) return errors > 0 ? 100 : 0
  return Math.min(100, (100 * errors) / requests)
}
