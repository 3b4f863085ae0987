/** Human-readable byte counts for lag and retained WAL ("0 B", "1.5 MiB"). */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let v = Math.abs(bytes)
  let i = 0
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024
    i++
  }
  const sign = bytes < 0 ? '-' : ''
  return `${sign}${i === 0 ? v.toFixed(0) : v.toFixed(v >= 100 ? 0 : 1)} ${units[i]}`
}

export function formatSeconds(seconds: number): string {
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`
  if (seconds < 120) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`
  return `${(seconds / 3600).toFixed(1)} h`
}

/** A byte count as a table cell shows it: a dash where there is no value. */
export const bytesOrDash = (bytes: number | null | undefined): string => (bytes == null ? '—' : formatBytes(bytes))

/** A duration in seconds as a table cell shows it: a dash where there is no value. */
export const secondsOrDash = (seconds: number | null | undefined): string => (seconds == null ? '—' : formatSeconds(seconds))

/** The time from `from` to `to` (epoch ms), never negative: "how long ago", "how long it lasted". */
export const formatElapsed = (from: number, to: number): string => formatSeconds(Math.max(0, (to - from) / 1000))

/** A percentage as a table cell shows it: a dash where there is no value. */
export const percentOrDash = (x: number | null | undefined): string => (x == null ? '—' : `${x.toFixed(1)} %`)
