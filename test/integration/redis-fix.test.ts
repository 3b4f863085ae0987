import { describe, expect, it } from 'vitest'
import { keySlot } from '../../src/shared/domain/slots'
import { readTopology } from '../../src/main/systems/redis/redis-watch'
import { cli, HOST, nodesAt, planAndRun, readAll, sleep, redisLabSuite } from './redis-lab-support'

/** Open and uncovered slots made on purpose, then fixed like redis-cli --cluster fix, with no key lost. */
describe('redis fix', () => {
  const suite = redisLabSuite()

  it('finishes a half-done migration, clears a stale importing slot and covers an uncovered one', async () => {
    // 500 keys in one slot (hash tag), owned by 7000.
    const keys = Array.from({ length: 500 }, (_, i) => `{fixme}:${i}`)
    const slot = keySlot(keys[0]!)
    expect(slot).toBeLessThanOrEqual(5460)
    for (const k of keys) cli(7000, 'SET', k, `val-${k}`)
    const view = nodesAt(7000)
    const a = view.find((n) => n.port === 7000)!
    const b = view.find((n) => n.port === 7001)!
    // Open the slot between 7000 and 7001 and move half of its keys, then stop: an interrupted reshard.
    cli(7001, 'CLUSTER', 'SETSLOT', String(slot), 'IMPORTING', a.id)
    cli(7000, 'CLUSTER', 'SETSLOT', String(slot), 'MIGRATING', b.id)
    cli(7000, 'MIGRATE', HOST, '7001', '', '0', '5000', 'KEYS', ...keys.slice(0, 250))
    // A stale importing mark on 7002 for an empty slot of 7001.
    const stale = 6000
    cli(7002, 'CLUSTER', 'SETSLOT', String(stale), 'IMPORTING', b.id)
    // An empty slot of 7001 that nobody owns any more.
    const lost = 7000
    cli(7001, 'CLUSTER', 'DELSLOTS', String(lost)) // the owner first, so nobody learns it back
    await sleep(300)
    for (const p of [7000, 7002]) cli(p, 'CLUSTER', 'DELSLOTS', String(lost))

    const before = await readTopology(suite.lab.hub, 'lab', 'redis')
    const codes = before.findings.map((f) => f.code)
    expect(codes).toContain('open-slots')
    expect(codes).toContain('uncovered-slots')
    expect(before.findings.find((f) => f.code === 'open-slots')!.fix?.kind).toBe('redis.fix')
    expect(before.slots.find((r) => r.start <= slot && r.end >= slot)!.migratingTo).toBe(b.id)
    expect(before.status).toBe('critical')

    const { plan, result } = await planAndRun(suite.lab, { kind: 'redis.fix', environment: 'lab', endpointId: 'redis' })
    const titles = plan.steps.map((s) => s.title)
    expect(titles).toContain(`slot ${slot}: finish the migration 127.0.0.1:7000 → 127.0.0.1:7001`)
    expect(titles).toContain(`slot ${stale}: clear the open state on 127.0.0.1:7002`)
    expect(titles.some((t) => t.startsWith('assign 1 uncovered slots to'))).toBe(true)
    expect(result.outcome, result.message).toBe('succeeded')

    const after = await readTopology(suite.lab.hub, 'lab', 'redis')
    expect(after.findings.map((f) => f.code)).not.toContain('open-slots')
    expect(after.findings.map((f) => f.code)).not.toContain('uncovered-slots')
    expect(after.clusterState).toBe('ok')
    expect(after.slots.find((r) => r.start <= slot && r.end >= slot)!.owner).toBe(b.id)
    expect(Number(cli(7001, 'CLUSTER', 'COUNTKEYSINSLOT', String(slot)))).toBe(500)
    const c = suite.lab.access.cluster([`${HOST}:7000`])
    try {
      const values = await readAll(c, keys)
      expect(values.filter((v, i) => v !== `val-${keys[i]}`)).toEqual([])
    } finally {
      c.disconnect()
    }
  })
})
