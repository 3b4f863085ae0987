import { describe, expect, it } from 'vitest'
import { arrangeFleet, countByStatus } from '../../src/shared/domain/fleet'
import type { EnvironmentHealth, HealthStatus, SystemHealth } from '../../src/shared/health'

function system(name: string, system: SystemHealth['system'], status: HealthStatus, reason = 'ok'): SystemHealth {
  return { endpointId: name, system, name, status, reason, nodes: [], notices: [], checkedAt: 0, durationMs: 1 }
}
function env(environment: string, systems: SystemHealth[]): EnvironmentHealth {
  const order: HealthStatus[] = ['critical', 'warn', 'unknown', 'ok']
  const status = order.find((s) => systems.some((x) => x.status === s)) ?? 'unknown'
  return { environment, status, reason: '', systems, checkedAt: 0 }
}

const fleet = [
  env('staging', [system('cache', 'redis', 'ok'), system('db', 'postgres', 'ok')]),
  env('prod-eu', [system('cache', 'redis', 'ok'), system('db', 'postgres', 'critical', 'pg2: connection refused')]),
  env('analytics', [system('events', 'mongo', 'warn', 'chunk imbalance 40 %')]),
  env('prod-us', [system('cache', 'redis', 'ok'), system('lb', 'nginx', 'ok')]),
]

describe('the overview of many environments', () => {
  it('puts the worst first, then sorts by name', () => {
    expect(arrangeFleet(fleet, { text: '', problemsOnly: false }).map((e) => e.environment)).toEqual(['prod-eu', 'analytics', 'prod-us', 'staging'])
  })

  it('filters by environment name (all its systems) or by a system name, kind or reason (only those systems)', () => {
    expect(arrangeFleet(fleet, { text: 'PROD', problemsOnly: false }).map((e) => [e.environment, e.systems.length])).toEqual([
      ['prod-eu', 2],
      ['prod-us', 2],
    ])
    expect(arrangeFleet(fleet, { text: 'nginx', problemsOnly: false }).map((e) => [e.environment, e.systems.map((s) => s.name)])).toEqual([['prod-us', ['lb']]])
    expect(arrangeFleet(fleet, { text: 'refused', problemsOnly: false }).map((e) => [e.environment, e.systems.map((s) => s.name)])).toEqual([
      ['prod-eu', ['db']],
    ])
    expect(arrangeFleet(fleet, { text: 'nothing-like-this', problemsOnly: false })).toEqual([])
  })

  it('shows only what is wrong when asked, and an environment that could not be read at all', () => {
    const unreadable: EnvironmentHealth = { environment: 'old', status: 'unknown', reason: 'cannot read', systems: [], checkedAt: 0 }
    const shown = arrangeFleet([...fleet, unreadable], { text: '', problemsOnly: true })
    expect(shown.map((e) => [e.environment, e.systems.map((s) => s.name)])).toEqual([
      ['prod-eu', ['db']],
      ['analytics', ['events']],
      ['old', []],
    ])
  })

  it('counts environments and systems by status', () => {
    expect(countByStatus(fleet)).toEqual({ critical: 1, warn: 1, unknown: 0, ok: 2 })
    expect(countByStatus(fleet[1]!.systems)).toEqual({ critical: 1, warn: 0, unknown: 0, ok: 1 })
  })
})
