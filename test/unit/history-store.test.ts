import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { AuditLog } from '../../src/main/core/audit-log'
import { byEntity, flatten } from '../../src/main/core/history/entities'
import { HistoryStore } from '../../src/main/core/history/history-store'

const HOUR = 3600_000
const fresh = () => mkdtempSync(join(tmpdir(), 'switchyard-history-'))

describe('history store', () => {
  it('reads back what was recorded, buffered or written, and after a reopen', () => {
    const dir = fresh()
    const t = Date.now() - 1000
    const h = HistoryStore.open(dir, { flushEveryMs: 0, maintainEveryMs: 0 })
    h.record('lab/pg/pg-lag', t - 1000, flatten({ pg2: { bytes: 10, seconds: 0.5 }, 'pg.3': { bytes: null, seconds: 2 } }))
    h.record('lab/pg/pg-lag', t, flatten({ pg2: { bytes: 20, seconds: 1 } }))
    h.record('lab/pg/other', t, { x: 1 })
    expect(byEntity(h.read('lab/pg/pg-lag', 0))).toEqual([
      { at: t - 1000, entities: { pg2: { bytes: 10, seconds: 0.5 }, 'pg.3': { bytes: null, seconds: 2 } } },
      { at: t, entities: { pg2: { bytes: 20, seconds: 1 } } },
    ])
    expect(h.read('lab/pg/pg-lag', t - 1000)).toHaveLength(1)
    h.close()
    const again = HistoryStore.open(dir, { flushEveryMs: 0, maintainEveryMs: 0 })
    expect(again.read('lab/pg/pg-lag', 0).map((p) => p.at)).toEqual([t - 1000, t])
    again.close()
  })

  it('rolls samples older than a day into minutes that keep min, avg and max, and drops rollups after 30 days', () => {
    let now = Date.UTC(2026, 10, 24, 12)
    const h = HistoryStore.open(fresh(), { flushEveryMs: 0, maintainEveryMs: 0, now: () => now })
    const minute = Date.UTC(2026, 10, 22, 9, 30) // two days back
    for (let i = 0; i < 30; i++) h.record('s', minute + i * 2000, { lag: i === 7 ? null : i })
    h.record('s', now - HOUR, { lag: 99 })
    expect(h.maintain().rolledUp).toBe(30)
    expect(h.rollups('s', 0)).toEqual([{ at: minute, values: { lag: { min: 0, avg: (435 - 7) / 29, max: 29 } } }])
    // the old minute as its average, the last hour at full resolution
    expect(h.read('s', 0).map((p) => [p.at, p.values.lag])).toEqual([
      [minute, (435 - 7) / 29],
      [now - HOUR, 99],
    ])
    // a late sample of the same minute merges into the rollup
    h.record('s', minute + 59_000, { lag: 100 })
    h.maintain()
    expect(h.rollups('s', 0)[0]!.values.lag).toEqual({ min: 0, avg: (435 - 7 + 100) / 30, max: 100 })
    // 29 days on, the two-days-back minute is past 30 days and goes; the last hour's sample is now a rollup
    now += 29 * 24 * HOUR
    h.maintain()
    expect(h.rollups('s', 0)).toEqual([{ at: Math.floor((now - 29 * 24 * HOUR - HOUR) / 60_000) * 60_000, values: { lag: { min: 99, avg: 99, max: 99 } } }])
    h.close()
  })

  it('averages a long range into at most the points a chart asks for', () => {
    const now = Date.UTC(2026, 10, 24, 12)
    const h = HistoryStore.open(fresh(), { flushEveryMs: 0, maintainEveryMs: 0, now: () => now })
    for (let i = 0; i < 3600; i++) h.record('r', now - 2 * HOUR + i * 2000, { v: i % 2 === 0 ? 10 : 20 })
    expect(h.read('r', now - 2 * HOUR)).toHaveLength(3599)
    // 20 s buckets of ten 2 s samples each
    const chart = h.read('r', now - 2 * HOUR, now, 360)
    expect(chart.length).toBeLessThanOrEqual(361)
    expect(chart.length).toBeGreaterThan(350)
    expect(chart.slice(1, -1).every((p) => p.values.v === 15)).toBe(true)
    h.close()
  })

  it('trims the oldest data to stay under its size cap', () => {
    const now = Date.now()
    const h = HistoryStore.open(fresh(), { flushEveryMs: 0, maintainEveryMs: 0, maxBytes: 256 * 1024 })
    for (let i = 0; i < 20_000; i++) h.record('big', now - (20_000 - i) * 1000, { a: i, b: i * 2, c: i * 3 })
    h.flush()
    expect(h.usedBytes()).toBeGreaterThan(256 * 1024)
    expect(h.maintain().dropped).toBeGreaterThan(0)
    expect(h.usedBytes()).toBeLessThanOrEqual(256 * 1024)
    const left = h.read('big', 0)
    expect(left.at(-1)!.values.a).toBe(19_999) // the newest stays
    expect(left[0]!.values.a).toBeGreaterThan(0) // the oldest went
    h.close()
  })
})

describe('audit log in the database', () => {
  it('moves an existing audit.jsonl in on first open (skipping a torn line), lists newest first, exports JSON lines', async () => {
    const dir = fresh()
    const rec = (id: string, at: number, phase: 'started' | 'finished') => ({
      id,
      at,
      phase,
      planId: 'p1',
      kind: 'docker.restart',
      environment: 'lab',
      target: 'x',
      actor: 'test',
    })
    writeFileSync(join(dir, 'audit.jsonl'), [JSON.stringify(rec('a', 1, 'started')), JSON.stringify(rec('b', 2, 'finished')), '{"torn'].join('\n') + '\n')
    const h = HistoryStore.open(dir, { flushEveryMs: 0, maintainEveryMs: 0 })
    const audit = new AuditLog(h.db, dir)
    expect((await audit.list()).map((r) => r.id)).toEqual(['b', 'a'])
    expect(readdirSync(dir)).toContain('audit.jsonl.migrated')
    await audit.append(rec('c', 3, 'started'))
    new AuditLog(h.db, dir) // a second open migrates nothing twice
    expect(
      audit
        .exportLines()
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { id: string }).id),
    ).toEqual(['a', 'b', 'c'])
    h.close()
  })
})
