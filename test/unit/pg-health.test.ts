import { describe, expect, it } from 'vitest'
import { gradeNodeHealth, statementsHint, XID_WRAP_LIMIT, type NodeHealthReadings } from '../../src/shared/domain/pg-health'

function healthy(over: Partial<NodeHealthReadings> = {}): NodeHealthReadings {
  return {
    name: 'pg1',
    role: 'primary',
    connections: { total: 10, max: 100, reserved: 3, active: 2, idleInTransaction: 0, waitingOnLocks: 0 },
    longestQuery: null,
    longestTransaction: null,
    lockWaits: [],
    cacheHitRatio: 0.99,
    cacheBlocks: 1_000_000,
    databases: [{ name: 'app', sizeBytes: 1e9, xidAge: 1000 }],
    xidWraparound: { database: 'app', age: 1000, fraction: 1000 / XID_WRAP_LIMIT },
    checkpoints: { timed: 100, requested: 2, writeMs: 1, syncMs: 1, buffersCheckpoint: 1, buffersBackend: 0, statsResetAt: null },
    ...over,
  }
}
const session = (seconds: number, state = 'active') => ({ pid: 42, user: 'app', database: 'app', state, seconds, query: 'select 1', waitEvent: null })

describe('gradeNodeHealth', () => {
  it('is ok with no findings for a quiet node', () => {
    expect(gradeNodeHealth(healthy())).toEqual({ findings: [], status: 'ok' })
  })
  it('grades connections against max_connections minus the reserved slots', () => {
    const at = (total: number) =>
      gradeNodeHealth(healthy({ connections: { total, max: 100, reserved: 3, active: 0, idleInTransaction: 0, waitingOnLocks: 0 } }))
    expect(at(77).status).toBe('ok')
    expect(at(78).status).toBe('warn')
    expect(at(93).status).toBe('critical')
    expect(at(93).findings[0]?.reason).toBe('93 of 97 usable connections in use (96%)')
  })
  it('flags long queries, long and idle transactions, and lock waits', () => {
    expect(gradeNodeHealth(healthy({ longestQuery: session(400) })).status).toBe('warn')
    expect(gradeNodeHealth(healthy({ longestQuery: session(4000) })).status).toBe('critical')
    const idle = gradeNodeHealth(healthy({ longestTransaction: session(700, 'idle in transaction') }))
    expect(idle.findings[0]?.reason).toMatch(/transaction open 12 min and idle \(pid 42\)/)
    expect(gradeNodeHealth(healthy({ lockWaits: [{ pid: 1, blockedBy: [2], seconds: 5, query: '' }] })).status).toBe('ok')
    expect(gradeNodeHealth(healthy({ lockWaits: [{ pid: 1, blockedBy: [2], seconds: 45, query: '' }] })).findings[0]?.reason).toMatch(
      /1 session\(s\) waiting on locks, longest 45 s/,
    )
  })
  it('warns on a poor cache hit ratio only with enough reads to mean it', () => {
    expect(gradeNodeHealth(healthy({ cacheHitRatio: 0.5, cacheBlocks: 100 })).status).toBe('ok')
    expect(gradeNodeHealth(healthy({ cacheHitRatio: 0.5 })).findings[0]?.reason).toBe('cache hit ratio 50.0%')
  })
  it('grades xid wraparound by the fraction of 2^31 consumed', () => {
    const at = (age: number) => gradeNodeHealth(healthy({ xidWraparound: { database: 'app', age, fraction: age / XID_WRAP_LIMIT } })).status
    expect(at(200_000_000)).toBe('ok')
    expect(at(1_200_000_000)).toBe('warn')
    expect(at(1_700_000_000)).toBe('critical')
  })
  it('warns when most checkpoints are forced by WAL volume', () => {
    const r = gradeNodeHealth(
      healthy({ checkpoints: { timed: 3, requested: 30, writeMs: 0, syncMs: 0, buffersCheckpoint: 0, buffersBackend: 0, statsResetAt: null } }),
    )
    expect(r.findings[0]?.reason).toMatch(/30 of 33 checkpoints were forced/)
  })
  it('is critical for a node that is down', () => {
    const r = gradeNodeHealth({ name: 'pg3', role: 'down', error: { code: 'refused', message: 'connection refused' }, lockWaits: [], databases: [] })
    expect(r).toEqual({ status: 'critical', findings: [{ status: 'critical', reason: 'pg3 is down: connection refused' }] })
  })
})

describe('statementsHint', () => {
  it('says what to do when pg_stat_statements is missing', () => {
    expect(statementsHint(false, false, 'app')).toMatch(/shared_preload_libraries/)
    expect(statementsHint(true, false, 'app')).toMatch(/CREATE EXTENSION pg_stat_statements/)
    expect(statementsHint(true, true, 'app')).toBeUndefined()
  })
})
