import Redis from 'ioredis'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../../src/main/app/cli'
import { capacityRound } from '../../src/main/features/capacity/capacity-resources'
import { observePostgres } from '../../src/main/systems/postgres/postgres-observe'
import { observeRedis } from '../../src/main/systems/redis/redis-observe'
import type { CapacityResource } from '../../src/shared/capacity'
import { act, dropLabTable, pgLab, primaryClient, type PgLab } from '../support/pg-lab'
import { cli, HOST, sleep } from './redis-lab-support'

const MASTER = 7000
const SLOT_NAME = 'sy_capacity_test'
const TABLE = 'sy_capacity_load'
const HEADROOM = 34 * 1024 * 1024
const SAMPLE_EVERY_MS = 5000
const FORECAST_AFTER_MS = 10 * 60_000
const MAX_RUN_MS = 20 * 60_000

/** A hash tag whose keys land on the master under test. */
function tagOn(port: number): string {
  const owned = cli(port, 'CLUSTER', 'NODES')
    .split('\n')
    .find((l) => l.includes('myself'))!
    .split(' ')
    .slice(8)
    .filter((r) => /^\d+(-\d+)?$/.test(r))
    .map((r) => r.split('-').map(Number) as [number, number?])
  for (let i = 0; i < 10_000; i++) {
    const slot = Number(cli(port, 'CLUSTER', 'KEYSLOT', `{cap${i}}`))
    if (owned.some(([a, b]) => slot >= a && slot <= (b ?? a))) return `{cap${i}}`
  }
  throw new Error(`no hash tag found for ${port}`)
}

const info = (field: string) => Number(new RegExp(`${field}:(\\d+)`).exec(cli(MASTER, 'INFO', 'memory'))![1])
/** Memory as maxmemory counts it (evict.c): without the replication and AOF buffers. */
const counted = () => info('used_memory') - info('mem_not_counted_for_evict')

/**
 * The forecasts on real servers, over a bounded run: a loader grows one Redis master toward a small
 * maxmemory, and a writer makes WAL while an inactive slot holds it back on the primary. After 10
 * minutes of samples the forecast of the master's memory must say when it fills, within 20 % of
 * when it does; the slot's retained WAL must grow to a finite time left, with its drop-slot fix.
 */
describe('capacity forecasts on the lab', () => {
  let lab: PgLab
  let redis: Redis
  let writer: pg.Client
  const timers: NodeJS.Timeout[] = []

  beforeAll(async () => {
    lab = await pgLab()
    redis = new Redis({ host: HOST, port: MASTER, lazyConnect: true, maxRetriesPerRequest: 1 })
    await redis.connect()
    writer = primaryClient(lab.lab)
    await writer.connect()
  })

  afterAll(async () => {
    for (const t of timers) clearInterval(t)
    cli(MASTER, 'CONFIG', 'SET', 'maxmemory', '0')
    cli(MASTER, 'CONFIG', 'SET', 'maxmemory-policy', 'noeviction')
    // only the loader's keys
    for (let cursor = '0'; ;) {
      const [next, keys] = await redis.scan(cursor, 'MATCH', '{cap*}:*', 'COUNT', 1000).catch(() => ['0', [] as string[]] as const)
      if (keys.length) await redis.unlink(...keys).catch(() => undefined)
      if ((cursor = next) === '0') break
    }
    redis.disconnect()
    await writer.query(`select pg_drop_replication_slot(slot_name) from pg_replication_slots where slot_name = $1`, [SLOT_NAME]).catch(() => undefined)
    await writer.end().catch(() => undefined)
    await dropLabTable(lab, TABLE)
    await lab.hub.close()
  })

  it(
    'predicts when a master fills its maxmemory within 20 % from 10 minutes of samples, and offers to drop an inactive slot whose WAL grows',
    async () => {
      const tag = tagOn(MASTER)
      cli(MASTER, 'CONFIG', 'SET', 'maxmemory-policy', 'noeviction')
      cli(MASTER, 'CONFIG', 'SET', 'maxmemory', String(counted() + HEADROOM))
      await writer.query(`create table if not exists ${TABLE} (id bigserial primary key, pad text)`)
      await writer.query(`select pg_create_physical_replication_slot($1, true)`, [SLOT_NAME])

      // the loads: ~32 KiB a second into the master, ~200 KiB of WAL a second on the primary
      let full = 0
      let n = 0
      const value = 'x'.repeat(8 * 1024)
      timers.push(
        setInterval(() => {
          redis.set(`${tag}:${n++}`, value).catch((err: unknown) => {
            if (/OOM/.test(String(err)) && !full) full = Date.now()
          })
        }, 250),
        setInterval(() => void writer.query(`insert into ${TABLE} (pad) select repeat('w', 900) from generate_series(1, 200)`).catch(() => undefined), 1000),
      )

      const started = Date.now()
      const round = async (): Promise<CapacityResource[]> => {
        const [r, p] = await Promise.all([observeRedis(lab.hub, 'lab', 'redis'), observePostgres(lab.hub, 'lab', 'postgres')])
        return capacityRound(
          lab.hub,
          'lab',
          [
            { endpoint: { id: 'redis', name: 'Redis Cluster', system: 'redis' }, gauges: r.capacity },
            { endpoint: { id: 'postgres', name: 'PostgreSQL', system: 'postgres' }, gauges: p.capacity ?? [] },
          ],
          { fresh: true },
        )
      }
      while (Date.now() - started < FORECAST_AFTER_MS) {
        await round()
        await sleep(SAMPLE_EVERY_MS)
      }
      const resources = await round()
      const forecastAt = Date.now()
      const memory = resources.find((r) => r.gauge.kind === 'redis-memory' && r.gauge.subject === `${HOST}:${MASTER}`)!
      expect(memory.gauge.limitLabel).toMatch(/^maxmemory/)
      expect(memory.forecast7d.kind).toBe('runs-out')
      const predictedFull = forecastAt + memory.secondsLeft! * 1000

      // the slot: retained WAL growing, a finite time left against the filesystem, the fix offered
      const slot = resources.find((r) => r.gauge.kind === 'pg-wal-retained' && r.gauge.subject.endsWith(`/${SLOT_NAME}`))!
      expect(slot.forecast7d.kind).toBe('runs-out')
      expect(slot.secondsLeft).toBeGreaterThan(0)
      expect(Number.isFinite(slot.secondsLeft)).toBe(true)
      expect(slot.gauge.limitLabel).toMatch(/^the free space of \//)
      expect(slot.summary).toMatch(new RegExp(`WAL kept for slot ${SLOT_NAME} fills the free space of /\\S* in `))
      expect(slot.gauge.fix).toEqual({
        label: expect.stringContaining(`Drop the inactive slot ${SLOT_NAME}`) as string,
        request: expect.objectContaining({ kind: 'pg.drop-slot', slot: SLOT_NAME }) as unknown,
      })

      const out: string[] = []
      const code = await runCli(['capacity', 'lab'], { out: (s) => void out.push(s), err: (s) => void out.push(s) }, lab.hub)
      expect(out.join('')).toContain(`WAL kept for slot ${SLOT_NAME}`)
      expect([0, 1, 2]).toContain(code)

      // the fix, through the action protocol: the slot goes, and so does its resource
      const dropped = await act(lab.runner, slot.gauge.fix!.request as never)
      expect(dropped.result.outcome).toBe('succeeded')
      expect(dropped.plan.target).toBe(slot.gauge.subject)

      // then the master fills: when, against the forecast
      while (!full && counted() < Number(cli(MASTER, 'CONFIG', 'GET', 'maxmemory').split('\n')[1]) && Date.now() - started < MAX_RUN_MS) await sleep(1000)
      const actualFull = full || Date.now()
      const horizon = actualFull - forecastAt
      const errorPct = (Math.abs(predictedFull - actualFull) / horizon) * 100
      console.log(
        `capacity: redis predicted_s=${((predictedFull - forecastAt) / 1000).toFixed(0)} actual_s=${(horizon / 1000).toFixed(0)} error_pct=${errorPct.toFixed(1)}`,
      )
      expect(Date.now() - started).toBeLessThan(MAX_RUN_MS)
      expect(errorPct).toBeLessThan(20)
    },
    MAX_RUN_MS + 120_000,
  )
})
