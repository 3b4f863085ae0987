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

/**
 * Rows of per-node values (`<id>.<field>`) where each node's values stay only at the steps it held
 * the role asked for: by its `<id>.master` value there (1 master, 0 replica; a step averaged over a
 * failover counts for the role held most of it), or, at a step recorded without one, by the role
 * it holds now. A master failed over inside the range is charted as a master up to the failover.
 */
export function inRole(rows: readonly Row[], ids: readonly string[], fields: readonly string[], master: boolean, masterNow: (id: string) => boolean): Row[] {
  return rows.map((r) => {
    const out: Record<string, number | null> = {}
    for (const id of ids) {
      const m = r[`${id}.master`]
      if ((m == null ? masterNow(id) : m >= 0.5) !== master) continue
      for (const f of fields) out[`${id}.${f}`] = r[`${id}.${f}`] ?? null
    }
    return out
  })
}

/** The entities a row's keys (`<entity>.<field>`) name. */
export function entitiesOf(rows: readonly Row[]): Set<string> {
  const out = new Set<string>()
  for (const r of rows) for (const k of Object.keys(r)) out.add(k.slice(0, k.lastIndexOf('.')))
  return out
}
