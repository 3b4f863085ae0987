export interface NamedSeries {
  name: string
  values: (number | null)[]
  /** The band that sums every member not shown on its own. */
  rest?: boolean
}

type Row = Readonly<Record<string, number | null | undefined>>

/**
 * Series for a stacked chart of many members (sixty masters): the `top` with the largest mean over
 * the rows, largest first, and the rest summed into one series named by `others(count)`.
 */
export function topSeries(rows: readonly Row[], members: readonly { key: string; name: string }[], top: number, others: (n: number) => string): NamedSeries[] {
  const ranked = members
    .map((m) => {
      let sum = 0
      let n = 0
      for (const r of rows) {
        const v = r[m.key]
        if (v != null) {
          sum += v
          n++
        }
      }
      return { ...m, mean: n ? sum / n : null }
    })
    .filter((m) => m.mean !== null)
    .sort((a, b) => b.mean! - a.mean! || a.name.localeCompare(b.name))
  const series: NamedSeries[] = ranked.slice(0, top).map((m) => ({ name: m.name, values: rows.map((r) => r[m.key] ?? null) }))
  const rest = ranked.slice(top)
  if (rest.length)
    series.push({
      name: others(rest.length),
      rest: true,
      values: rows.map((r) =>
        combine(
          rest.map((m) => r[m.key]),
          (a, b) => a + b,
        ),
      ),
    })
  return series
}

/** The largest of these keys per row (null where none has a value). */
export function maxSeries(rows: readonly Row[], keys: readonly string[]): (number | null)[] {
  return rows.map((r) =>
    combine(
      keys.map((k) => r[k]),
      Math.max,
    ),
  )
}

function combine(values: readonly (number | null | undefined)[], op: (a: number, b: number) => number): number | null {
  let out: number | null = null
  for (const v of values) if (v != null) out = out === null ? v : op(out, v)
  return out
}
