import { describe, expect, it } from 'vitest'
import { parseClusterMembers, parseHistory, patroniFindings } from '../../src/shared/domain/patroni'
import { bouncerFindings, repointIni } from '../../src/shared/domain/pgbouncer'
import type { PgNodeSnapshot } from '../../src/shared/systems/postgres'

const nodes = [
  { name: 'a', host: '10.0.0.1', port: 5432 },
  { name: 'b', host: '10.0.0.2', port: 5432 },
]
const snap = (name: string, role: PgNodeSnapshot['role'], timeline = 2): PgNodeSnapshot => ({
  name,
  host: '',
  port: 0,
  listed: true,
  role,
  timeline,
  replication: [],
  slots: [],
})

describe('Patroni replies', () => {
  const reply = {
    members: [
      { name: 'pg-a', role: 'leader', state: 'running', host: '10.0.0.1', port: 5432, timeline: 2, api_url: 'http://10.0.0.1:8008/patroni' },
      {
        name: 'pg-b',
        role: 'replica',
        state: 'streaming',
        host: '10.0.0.2',
        port: 5432,
        timeline: 2,
        lag: 'unknown',
        pending_restart: true,
        tags: { nofailover: true },
      },
    ],
    pause: true,
  }

  it('matches members to nodes by address, keeps "unknown" lag as null', () => {
    const m = parseClusterMembers(reply, nodes)
    expect(m.map((x) => [x.name, x.node, x.lagBytes, x.pendingRestart])).toEqual([
      ['pg-a', 'a', null, false],
      ['pg-b', 'b', null, true],
    ])
    expect(() => parseClusterMembers({ error: 'x' }, nodes)).toThrow(/no "members" list/)
  })

  it('flags where PostgreSQL disagrees, the pause, a pending restart and nofailover', () => {
    const m = parseClusterMembers(reply, nodes)
    const agree = patroniFindings(m, [snap('a', 'primary'), snap('b', 'standby')], true)
    expect(agree.disagreements).toEqual([])
    expect(agree.warnings).toEqual([
      'Patroni is paused: automatic failover is off (maintenance mode)',
      'pg-b has a restart pending (a changed setting needs it)',
      'pg-b is tagged nofailover: it is never promoted',
    ])
    const split = patroniFindings(m, [snap('a', 'standby'), snap('b', 'primary', 3)], false)
    expect(split.disagreements).toEqual([
      'Patroni says pg-a leads, but PostgreSQL on a is in recovery',
      'PostgreSQL on b accepts writes, but Patroni has pg-b as replica',
      'pg-b: timeline 2 in Patroni, 3 in PostgreSQL',
    ])
  })

  it('reads /history rows and skips malformed ones', () => {
    expect(parseHistory([[1, 25165984, 'no recovery target specified', '2026-11-25T03:40:00+00:00', 'ha2'], 'junk', [null]])).toEqual([
      { timeline: 1, lsn: 25165984, reason: 'no recovery target specified', at: '2026-11-25T03:40:00+00:00', leader: 'ha2' },
    ])
    expect(parseHistory({ members: [] })).toEqual([])
  })
})

describe('pgbouncer', () => {
  const ini = [
    '[databases]',
    'app = host=10.0.0.1 port=5432 dbname=app pool_size=20',
    'other = host=10.0.0.9 dbname=x',
    '',
    '[users]',
    'app = pool_mode=session',
    '',
  ].join('\n')

  it('repoints one database line in [databases] only, keeping its other options', () => {
    const out = repointIni(ini, 'app', '10.0.0.2', 5433)!
    expect(out.split('\n')[1]).toBe('app = host=10.0.0.2 port=5433 dbname=app pool_size=20')
    expect(out.split('\n')[5]).toBe('app = pool_mode=session')
    expect(repointIni(ini, 'other', '10.0.0.2', 5433)!.split('\n')[2]).toBe('other = host=10.0.0.2 dbname=x port=5433')
    expect(repointIni(ini, 'missing', '10.0.0.2', 5433)).toBeNull()
  })

  it('finds clients waiting, saturated pools and paused databases', () => {
    const db = { name: 'app', host: 'h', port: 1, database: 'app', poolSize: 2, poolMode: null, currentConnections: 2, paused: true, disabled: false }
    const pool = {
      database: 'app',
      user: 'u',
      clientsActive: 5,
      clientsWaiting: 3,
      serversActive: 2,
      serversIdle: 0,
      serversUsed: 0,
      maxWaitSeconds: 7,
      poolMode: 'transaction',
    }
    expect(bouncerFindings([db], [pool])).toEqual([
      { status: 'critical', reason: '3 client(s) waiting on app/u, the oldest for 7.0 s' },
      { status: 'warn', reason: 'pool app/u saturated: 2/2 server connections busy' },
      { status: 'warn', reason: 'app is paused: clients wait until RESUME' },
    ])
  })
})
