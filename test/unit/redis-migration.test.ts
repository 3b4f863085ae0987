import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { ClusterNodeEntry } from '../../src/shared/systems/redis'
import { parseClusterNodeLine } from '../../src/shared/domain/redis-parse'
import { MigrationStore } from '../../src/main/systems/redis/migration-store'
import type { RedisClusterAccess } from '../../src/main/systems/redis/redis-client'
import { migrateAuthText, newMigrationRecord, remainingMoves, slotCommands } from '../../src/main/systems/redis/slot-migration'

const S = 'a'.repeat(40)
const T = 'b'.repeat(40)
const source = parseClusterNodeLine(`${S} 10.0.0.1:7000@17000 master - 0 0 1 connected 0-100`) as ClusterNodeEntry
const target = parseClusterNodeLine(`${T} 10.0.0.2:7001@17001 master - 0 0 2 connected`) as ClusterNodeEntry

describe('slot migration records', () => {
  it('knows what is left after some batches', () => {
    const r = newMigrationRecord(
      'e',
      'redis',
      [
        { source: S, target: T, ranges: [{ start: 0, end: 100 }] },
        { source: T, target: S, ranges: [{ start: 200, end: 210 }] },
      ],
      'test',
    )
    expect(r.state).toBe('running')
    r.done = [
      { start: 0, end: 49 },
      { start: 200, end: 210 },
    ]
    expect(remainingMoves(r)).toEqual([{ source: S, target: T, ranges: [{ start: 50, end: 100 }] }])
  })

  it('persists and reports only unfinished migrations', async () => {
    const store = new MigrationStore(mkdtempSync(join(tmpdir(), 'sy-mig-')))
    const r = newMigrationRecord('e', 'redis', [{ source: S, target: T, ranges: [{ start: 0, end: 1 }] }], 'test')
    expect(await store.unfinished('e', 'redis')).toBeNull()
    await store.save({ ...r, state: 'interrupted', lastError: 'boom' })
    expect((await store.unfinished('e', 'redis'))?.lastError).toBe('boom')
    await store.save({ ...r, state: 'done' })
    expect(await store.unfinished('e', 'redis')).toBeNull()
    expect((await store.get('e', 'redis'))?.state).toBe('done')
  })
})

describe('plan commands', () => {
  it('lists the exact per-slot sequence with the password masked', () => {
    const access = { password: 'secret', username: undefined } as unknown as RedisClusterAccess
    const cmds = slotCommands(source, target, '5', 1000, migrateAuthText(access))
    expect(cmds).toEqual([
      `10.0.0.2:7001: CLUSTER SETSLOT 5 IMPORTING ${S}`,
      `10.0.0.1:7000: CLUSTER SETSLOT 5 MIGRATING ${T}`,
      '10.0.0.1:7000: CLUSTER GETKEYSINSLOT 5 1000  (repeat until empty)',
      '10.0.0.1:7000: MIGRATE 10.0.0.2 7001 "" 0 10000 AUTH *** KEYS <up to 1000 keys>',
      '10.0.0.1:7000: CLUSTER COUNTKEYSINSLOT 5  (must be 0)',
      `10.0.0.2:7001: CLUSTER SETSLOT 5 NODE ${T}`,
      `10.0.0.1:7000: CLUSTER SETSLOT 5 NODE ${T}`,
      `every other master: CLUSTER SETSLOT 5 NODE ${T}`,
    ])
    expect(cmds.join(' ')).not.toContain('secret')
    expect(migrateAuthText({ password: 'p', username: 'ops' } as unknown as RedisClusterAccess)).toBe(' AUTH2 ops ***')
    expect(migrateAuthText({ password: undefined } as unknown as RedisClusterAccess)).toBe('')
  })
})
