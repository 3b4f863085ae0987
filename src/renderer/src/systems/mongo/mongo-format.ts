import { formatSeconds } from '../../../../shared/domain/units'

/** Seconds as the MongoDB views show them, a dash when there is no value. */
export const secs = (s: number | null) => (s === null ? '—' : formatSeconds(s))
/** How long ago `at` was, as of `now`. */
export const ago = (at: number, now: number) => formatSeconds(Math.max(0, (now - at) / 1000))
