import { describe, expect, it } from 'vitest'
import { buildTopology, DEFAULT_LAG_THRESHOLDS, gradeLag, mostAdvancedStandby, nodeAt, slotNameFor } from '../../src/shared/domain/pg-topology'
import type { PgNodeSnapshot, PgReplicationRow, PgSlot } from '../../src/shared/systems/postgres'

const MiB = 1024 * 1024

function row(app: string, over: Partial<PgReplicationRow> = {}): PgReplicationRow {
  return {
    pid: 100,
    applicationName: app,
    clientAddr: '127.0.0.1',
    state: 'streaming',
    syncState: 'async',
    sentLsn: '0/5000000',
    writeLsn: '0/5000000',
    flushLsn: '0/5000000',
    replayLsn: '0/5000000',
    writeLagMs: null,
    flushLagMs: null,
    replayLagMs: null,
    replayBytes: 0,
    slotName: app,
    ...over,
  }
}
function slot(name: string, over: Partial<PgSlot> = {}): PgSlot {
  return { name, slotType: 'physical', temporary: false, active: true, restartLsn: '0/5000000', walStatus: 'reserved', retainedBytes: 0, ...over }
}
function primary(name: string, port: number, over: Partial<PgNodeSnapshot> = {}): PgNodeSnapshot {
  return {
    name,
    host: '127.0.0.1',
    port,
    listed: true,
    role: 'primary',
    timeline: 1,
    currentLsn: '0/5000000',
    replayLsn: '0/5000000',
    replication: [],
    slots: [],
    ...over,
  }
}
function standby(name: string, port: number, upstreamPort: number, over: Partial<PgNodeSnapshot> = {}): PgNodeSnapshot {
  return {
    name,
    host: '127.0.0.1',
    port,
    listed: true,
    role: 'standby',
    timeline: 1,
    currentLsn: '0/5000000',
    receiveLsn: '0/5000000',
    replayLsn: '0/5000000',
    replayAgeSeconds: 3600,
    walReceiver: {
      status: 'streaming',
      senderHost: '127.0.0.1',
      senderPort: upstreamPort,
      slotName: name,
      flushedLsn: '0/5000000',
      latestEndLsn: '0/5000000',
      receivedTimeline: 1,
      lastMessageAt: 0,
    },
    replication: [],
    slots: [],
    ...over,
  }
}
function down(name: string, port: number): PgNodeSnapshot {
  return { name, host: '127.0.0.1', port, listed: true, role: 'down', error: { code: 'refused', message: 'connection refused' }, replication: [], slots: [] }
}

describe('gradeLag', () => {
  const base = { reachable: true, state: 'streaming', syncState: 'async', bytes: 0, replayLagSeconds: null, replayAgeSeconds: 7200 }
  it('calls an idle, fully replayed standby "caught up (idle)" however old its last replayed commit', () => {
    const g = gradeLag(base)
    expect(g).toMatchObject({ status: 'ok', label: 'caught up (idle)', bytes: 0, seconds: 0 })
  })
  it('is plain streaming when caught up while the primary is writing', () => {
    expect(gradeLag({ ...base, replayLagSeconds: 0.02 })).toMatchObject({ status: 'ok', label: 'streaming', seconds: 0.02 })
  })
  it('grades bytes and seconds against the thresholds, worst wins', () => {
    expect(gradeLag({ ...base, bytes: 1 * MiB, replayLagSeconds: 0.5 }).status).toBe('ok')
    expect(gradeLag({ ...base, bytes: 20 * MiB, replayLagSeconds: 0.5 }).status).toBe('warn')
    expect(gradeLag({ ...base, bytes: 300 * MiB, replayLagSeconds: 0.5 }).status).toBe('critical')
    expect(gradeLag({ ...base, bytes: 1 * MiB, replayLagSeconds: 15 }).status).toBe('warn')
    expect(gradeLag({ ...base, bytes: 1 * MiB, replayLagSeconds: 90 }).status).toBe('critical')
    expect(gradeLag({ ...base, bytes: 20 * MiB, replayLagSeconds: 90 }).status).toBe('critical')
  })
  it('falls back to the age of the last replayed commit only while WAL is outstanding', () => {
    const g = gradeLag({ ...base, bytes: 4096, replayLagSeconds: null, replayAgeSeconds: 120 })
    expect(g).toMatchObject({ status: 'critical', seconds: 120 })
    expect(g.reason).toMatch(/4.0 KiB behind, 2 min replay lag/)
  })
  it('honours custom thresholds', () => {
    const t = { bytes: { warn: 100, critical: 1000 }, seconds: DEFAULT_LAG_THRESHOLDS.seconds }
    expect(gradeLag({ ...base, bytes: 500, replayLagSeconds: 0.1 }, t).status).toBe('warn')
  })
  it('is critical when not streaming and warn while catching up', () => {
    expect(gradeLag({ ...base, state: 'startup', bytes: null })).toMatchObject({ status: 'warn', label: 'catching up' })
    expect(gradeLag({ ...base, state: 'catchup', bytes: 10 })).toMatchObject({ status: 'warn', label: 'catching up' })
    expect(gradeLag({ ...base, state: 'stopping', bytes: null })).toMatchObject({ status: 'critical', label: 'not streaming' })
  })
  it('is critical and "down" when the standby cannot be reached', () => {
    expect(gradeLag({ ...base, reachable: false, state: null, error: 'connection refused' })).toMatchObject({
      status: 'critical',
      label: 'down',
      reason: 'down: connection refused',
    })
  })
})

describe('buildTopology', () => {
  it('reads the lab shape: one primary, two standbys caught up (idle), slots active', () => {
    const t = buildTopology([
      primary('pg1', 15432, { replication: [row('pg2'), row('pg3')], slots: [slot('pg2'), slot('pg3')] }),
      standby('pg2', 15433, 15432),
      standby('pg3', 15434, 15432),
    ])
    expect(t.primary).toBe('pg1')
    expect(t.status).toBe('ok')
    expect(t.findings).toEqual([])
    expect(t.standbys.map((s) => [s.standby, s.upstream, s.label])).toEqual([
      ['pg2', 'pg1', 'caught up (idle)'],
      ['pg3', 'pg1', 'caught up (idle)'],
    ])
    expect(t.nodes.find((n) => n.name === 'pg2')?.upstream).toBe('pg1')
  })

  it('uses the upstream row for bytes (one consistent reading) and replay_lag for seconds', () => {
    const t = buildTopology([
      primary('pg1', 15432, { currentLsn: '0/6000000', replication: [row('pg2', { replayBytes: 20 * MiB, replayLagMs: 1500, replayLsn: '0/4C00000' })] }),
      standby('pg2', 15433, 15432, { replayLsn: '0/5F00000' }),
    ])
    expect(t.standbys[0]).toMatchObject({ bytes: 20 * MiB, seconds: 1.5, status: 'warn', label: 'streaming' })
    expect(t.status).toBe('warn')
    expect(t.reason).toMatch(/pg2: 20.0 MiB behind/)
  })

  it('follows cascades: a standby streaming from a standby', () => {
    const t = buildTopology([
      primary('pg1', 15432, { replication: [row('pg2')] }),
      standby('pg2', 15433, 15432, { replication: [row('pg3', { replayBytes: 0 })] }),
      standby('pg3', 15434, 15433),
    ])
    expect(t.standbys.find((s) => s.standby === 'pg3')).toMatchObject({ upstream: 'pg2', status: 'ok' })
  })

  it('shows a standby that is down mid-poll as down without failing the rest', () => {
    const t = buildTopology([
      primary('pg1', 15432, { replication: [row('pg2')], slots: [slot('pg2'), slot('pg3', { active: false, retainedBytes: 5 * MiB })] }),
      standby('pg2', 15433, 15432),
      down('pg3', 15434),
    ])
    expect(t.primary).toBe('pg1')
    expect(t.standbys.find((s) => s.standby === 'pg2')?.status).toBe('ok')
    expect(t.standbys.find((s) => s.standby === 'pg3')).toMatchObject({ status: 'critical', label: 'down', state: 'down' })
    expect(t.findings.map((f) => f.reason)).toContain('slot pg3 on pg1 is inactive and retains 5.0 MiB of WAL')
    expect(t.status).toBe('critical')
  })

  it('with the primary down, names it as down and reports no primary', () => {
    const t = buildTopology([down('pg1', 15432), standby('pg2', 15433, 15432, { walReceiver: null }), standby('pg3', 15434, 15432, { walReceiver: null })])
    expect(t.primary).toBeNull()
    expect(t.findings.map((f) => f.reason)).toEqual(
      expect.arrayContaining(['no primary: every reachable node is a standby', 'pg1 is down: connection refused']),
    )
    expect(t.standbys.every((s) => s.label === 'not streaming')).toBe(true)
  })

  it('flags split brain and marks the stray primary for a rewind', () => {
    const t = buildTopology([primary('pg1', 15432, { replication: [row('pg3')] }), primary('pg2', 15433, { timeline: 2 }), standby('pg3', 15434, 15432)])
    expect(t.primary).toBe('pg1')
    expect(t.status).toBe('critical')
    expect(t.findings[0]?.reason).toMatch(/split brain/)
    expect(t.nodes.find((n) => n.name === 'pg2')?.needsRewind).toBe(true)
  })

  it('adds standbys that are not in the node list from pg_stat_replication', () => {
    const t = buildTopology([primary('pg1', 15432, { replication: [row('pg2'), row('pg4', { clientAddr: '10.0.0.4' })] }), standby('pg2', 15433, 15432)])
    const pg4 = t.nodes.find((n) => n.name === 'pg4')
    expect(pg4).toMatchObject({ listed: false, role: 'standby', upstream: 'pg1', host: '10.0.0.4' })
    expect(t.standbys.find((s) => s.standby === 'pg4')?.status).toBe('ok')
  })

  it('flags lost and unreserved slots', () => {
    const t = buildTopology([
      primary('pg1', 15432, { slots: [slot('a', { active: false, walStatus: 'lost', retainedBytes: null }), slot('b', { walStatus: 'unreserved' })] }),
    ])
    expect(t.findings.map((f) => f.status)).toEqual(['critical', 'warn'])
  })

  it('grades a reachable standby that streams from nobody as not streaming, without guessing a divergence', () => {
    const t = buildTopology([primary('pg2', 15433, { timeline: 2 }), standby('pg1', 15432, 15433, { timeline: 1, walReceiver: null })])
    expect(t.standbys[0]).toMatchObject({ standby: 'pg1', upstream: null, status: 'critical', label: 'not streaming' })
    expect(t.nodes.find((n) => n.name === 'pg1')?.needsRewind).toBeUndefined()
  })
})

describe('helpers', () => {
  it('chooses the standby holding the most WAL for failover', () => {
    expect(
      mostAdvancedStandby([
        { name: 'pg2', receiveLsn: '0/5000100', replayLsn: '0/5000000' },
        { name: 'pg3', receiveLsn: '0/5000000', replayLsn: '0/5000000' },
      ])?.name,
    ).toBe('pg2')
    expect(
      mostAdvancedStandby([
        { name: 'pg2', receiveLsn: '0/5000000', replayLsn: '0/4000000' },
        { name: 'pg3', receiveLsn: '0/5000000', replayLsn: '0/5000000' },
      ])?.name,
    ).toBe('pg3')
    expect(
      mostAdvancedStandby([
        { name: 'pg2', receiveLsn: null, replayLsn: '0/2' },
        { name: 'pg3', receiveLsn: '1/0', replayLsn: null },
      ])?.name,
    ).toBe('pg3')
    // Ties keep list order.
    expect(
      mostAdvancedStandby([
        { name: 'pg2', receiveLsn: '0/5', replayLsn: '0/5' },
        { name: 'pg3', receiveLsn: '0/5', replayLsn: '0/5' },
      ])?.name,
    ).toBe('pg2')
    expect(mostAdvancedStandby([])).toBeUndefined()
  })
  it('derives valid slot names', () => {
    expect(slotNameFor('pg2')).toBe('pg2')
    expect(slotNameFor('DB-East.1')).toBe('db_east_1')
  })
  it('matches sender addresses, treating loopback names alike', () => {
    const nodes = [{ name: 'pg1', host: '127.0.0.1', port: 15432 }]
    expect(nodeAt(nodes, 'localhost', 15432)).toBe('pg1')
    expect(nodeAt(nodes, '127.0.0.1', 15433)).toBeUndefined()
    expect(nodeAt(nodes, null, 15432)).toBeUndefined()
  })
})
