import { describe, expect, it } from 'vitest'
import { Environment } from '../../src/shared/inventory'

const ssh = { kind: 'ssh', id: 'bastion', name: 'bastion', host: 'bastion.example.com', port: 22, user: 'ops', auth: { method: 'agent' } }

describe('environment schema', () => {
  it('accepts a full environment', () => {
    const env = Environment.parse({
      name: 'prod-eu',
      endpoints: [
        ssh,
        { kind: 'redis-cluster', id: 'cache', name: 'cache', seeds: [{ host: '10.1.0.5', port: 6379 }], viaSsh: 'bastion' },
        { kind: 'postgres', id: 'pg', name: 'orders', user: 'dba', nodes: [{ name: 'pg-a', host: 'pg-a.internal', port: 5432, sshHostId: 'bastion' }] },
        { kind: 'docker', id: 'apps', name: 'apps', connection: { type: 'ssh', sshHostId: 'bastion' } },
      ],
    })
    expect(env.endpoints).toHaveLength(4)
    expect(env.endpoints[1]).toMatchObject({ tls: false })
  })

  it('rejects duplicate ids and references to SSH hosts that do not exist', () => {
    const dup = Environment.safeParse({ name: 'x', endpoints: [ssh, ssh] })
    expect(dup.success).toBe(false)
    expect(JSON.stringify(dup.error?.issues)).toContain('duplicate endpoint id')
    const dangling = Environment.safeParse({
      name: 'x',
      endpoints: [{ kind: 'redis-cluster', id: 'r', name: 'r', seeds: [{ host: 'a', port: 1 }], viaSsh: 'nope' }],
    })
    expect(JSON.stringify(dangling.error?.issues)).toContain('not in this environment')
  })

  it('rejects hosts with shell metacharacters, bad ports and passwords inside URIs', () => {
    expect(Environment.safeParse({ name: 'x', endpoints: [{ ...ssh, host: 'a;rm -rf /' }] }).success).toBe(false)
    expect(Environment.safeParse({ name: 'x', endpoints: [{ ...ssh, port: 70000 }] }).success).toBe(false)
    const mongo = Environment.safeParse({ name: 'x', endpoints: [{ kind: 'mongo', id: 'm', name: 'm', uri: 'mongodb://admin:secret@mongos:27017' }] })
    expect(JSON.stringify(mongo.error?.issues)).toContain('password field')
    expect(Environment.safeParse({ name: 'Bad Name', endpoints: [] }).success).toBe(false)
  })
})
