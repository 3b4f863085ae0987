import { describe, expect, it } from 'vitest'
import { environmentSamples } from '../../src/main/features/exporter/collect'
import type { EnvironmentObservation } from '../../src/main/features/alerts/observe-environment'
import { secretVariable, SecretStore } from '../../src/main/core/inventory/secret-store'
import { DEFAULT_RULES } from '../../src/shared/domain/alert-eval'
import { alertMetricName, prometheusRules } from '../../src/shared/domain/prom-rules'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { KeyFileCipher } from '../../src/main/core/inventory/secret-cipher'

describe('Prometheus alert rules from the app rules', () => {
  const { groups } = prometheusRules('lab', [
    { metric: 'pg-lag-seconds', warn: 30, critical: 300, for: '90s', enabled: true },
    { metric: 'node-down', warn: null, critical: 1, for: 0, enabled: true },
    { metric: 'container-cpu-pct', warn: 70, critical: 90, for: '2m', enabled: false },
  ])
  const rules = groups[0]!.rules

  it('has one rule per level: warn below critical, critical from critical; disabled rules are left out', () => {
    expect(rules.map((r) => [r.alert, r.labels.severity, r.expr, r.for])).toEqual([
      ['SwitchyardPgLagSeconds', 'warning', 'switchyard_pg_lag_seconds{env="lab"} >= 30 < 300', '90s'],
      ['SwitchyardPgLagSeconds', 'critical', 'switchyard_pg_lag_seconds{env="lab"} >= 300', '90s'],
      ['SwitchyardNodeDown', 'critical', 'switchyard_node_down{env="lab"} >= 1', '0s'],
      ['SwitchyardActionInterrupted', 'critical', 'switchyard_actions_interrupted{env="lab"} > 0', '0s'],
    ])
  })

  it('names every default metric as a gauge the exporter writes', () => {
    const all = prometheusRules('a"b', DEFAULT_RULES).groups[0]!.rules
    expect(new Set(all.map((r) => r.labels.switchyard_metric))).toEqual(new Set([...DEFAULT_RULES.map((r) => r.metric), 'actions-interrupted']))
    expect(all.every((r) => /^switchyard_[a-z_]+\{env="a\\"b"\} (>=|>|<=) /.test(r.expr))).toBe(true)
    // time left is the one where lower is worse: runs out within 7 days warns, within 2 pages
    expect(all.filter((r) => r.labels.switchyard_metric === 'capacity-seconds-left').map((r) => [r.labels.severity, r.expr])).toEqual([
      ['warning', 'switchyard_capacity_seconds_left{env="a\\"b"} <= 604800 > 172800'],
      ['critical', 'switchyard_capacity_seconds_left{env="a\\"b"} <= 172800'],
    ])
    expect(alertMetricName('backend-latency-ms')).toBe('switchyard_backend_latency_ms')
    expect(all.find((r) => r.labels.switchyard_metric === 'mongo-balancer-off')!.for).toBe('30m')
  })
})

describe('exporter samples of an environment read', () => {
  const read: EnvironmentObservation = {
    values: [
      { endpointId: 'pg', metric: 'pg-lag-seconds', subject: 'pg2', value: 4 },
      { endpointId: 'pg', metric: 'capacity-seconds-left', subject: 'pg-wal-retained pg1/pg_old', value: 68_400 },
      { endpointId: 'redis', metric: 'node-down', subject: 'redis (connect ECONNREFUSED)', value: 1 },
    ],
    capacity: [],
    facts: [],
    events: [],
    observed: new Set(['pg']),
    endpoints: [
      {
        endpointId: 'pg',
        name: 'PostgreSQL',
        system: 'postgres',
        durationMs: 12,
        error: null,
        samples: [{ name: 'pg_up', help: 'up', labels: { instance: 'a:1' }, value: 1 }],
      },
      { endpointId: 'redis', name: 'Redis', system: 'redis', durationMs: 3000, error: { code: 'timeout', message: 'timed out' }, samples: [] },
    ],
  }
  const samples = environmentSamples('lab', read)
  const find = (name: string) => samples.filter((s) => s.name === name).map((s) => [s.labels, s.value])

  it('labels every system sample with env and endpoint, and says which endpoints could be read', () => {
    expect(find('pg_up')).toEqual([[{ instance: 'a:1', env: 'lab', endpoint: 'PostgreSQL' }, 1]])
    expect(find('switchyard_endpoint_up')).toEqual([
      [{ env: 'lab', endpoint: 'PostgreSQL', system: 'postgres' }, 1],
      [{ env: 'lab', endpoint: 'Redis', system: 'redis' }, 0],
    ])
  })

  it('turns rule inputs into switchyard_<metric>, and an unreadable endpoint into one node down named by the endpoint', () => {
    expect(find('switchyard_pg_lag_seconds')).toEqual([[{ env: 'lab', endpoint: 'PostgreSQL', subject: 'pg2' }, 4]])
    expect(find('switchyard_node_down')).toEqual([[{ env: 'lab', endpoint: 'Redis', subject: 'Redis' }, 1]])
  })

  it('exports the time a resource has left with the resource as a label of its own', () => {
    expect(find('switchyard_capacity_seconds_left')).toEqual([
      [{ env: 'lab', endpoint: 'PostgreSQL', subject: 'pg-wal-retained pg1/pg_old', resource: 'pg-wal-retained' }, 68_400],
    ])
  })
})

describe('secrets from variables', () => {
  it('maps a key to a variable and back, and the variable wins over the store', async () => {
    expect(secretVariable('lab.eu', 'pg-main.replication-password')).toBe('SWITCHYARD_SECRET__LAB_EU__PG_MAIN__REPLICATION_PASSWORD')
    const dir = mkdtempSync(join(tmpdir(), 'sy-secrets-'))
    const store = new SecretStore(dir, new KeyFileCipher(dir), {
      SWITCHYARD_SECRET__LAB__PG_MAIN__REPLICATION_PASSWORD: 'from-env',
      SWITCHYARD_SECRET__OTHER__PG__PASSWORD: 'not-ours',
    })
    const at = new Map([['pg-main', 'pg1:5432']])
    await store.update('lab', { 'pg-main.password': 'stored', 'pg-main.replication-password': 'stored-too' }, at, new Map())
    expect((await store.bound('lab', at)).secrets).toEqual({ 'pg-main.password': 'stored', 'pg-main.replication-password': 'from-env' })
    expect(await store.get('lab', 'pg-main.replication-password')).toBe('from-env')
  })
})
