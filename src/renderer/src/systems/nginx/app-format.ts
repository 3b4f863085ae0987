import { formatSeconds } from '../../../../shared/domain/units'

/** A percentage as the app-tier view shows it, a dash when unknown. */
export const pct = (x: number | null) => (x === null ? '—' : `${x.toFixed(1)} %`)
/** How long ago `at` was, as of `now`. */
export const ago = (at: number, now: number) => `${formatSeconds(Math.max(0, (now - at) / 1000))} ago`
