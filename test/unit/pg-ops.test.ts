import { describe, expect, it } from 'vitest'
import { conninfo, maskConninfo, pickEndpoint, sqlLiteral } from '../../src/main/systems/postgres/postgres-client'
import { cmd, followConfCommand, followStatements, parseControlData, passfileOps, withReplicationLine } from '../../src/main/systems/postgres/postgres-ops'
import { maskQuery } from '../../src/main/systems/postgres/postgres-reader'
import { PgDataDir, PgNodeLocation } from '../../src/shared/systems/postgres'

const node = { name: 'pg1', host: '127.0.0.1', port: 15432, dataDir: '/tmp/lab/pg/pg1', binDir: '/usr/lib/postgresql/15/bin', sshHostId: 'ssh' }
const up = { name: 'pg2', host: '127.0.0.1', port: 15433 }

describe('PostgreSQL command builders', () => {
  it('quotes SQL literals and libpq values', () => {
    expect(sqlLiteral("it's")).toBe("'it''s'")
    expect(conninfo({ host: 'db1', port: 5432, user: 'rep', password: "p w'x", application_name: 'pg1', dbname: undefined })).toBe(
      "host=db1 port=5432 user=rep password='p w\\'x' application_name=pg1",
    )
  })
  it("never puts the replication password into SQL text: it goes to the standby's ~/.pgpass", () => {
    const statements = followStatements(node, up, { user: 'replicator', password: 's3cr3t pass' })
    expect(statements[0]!.text).toBe("ALTER SYSTEM SET primary_conninfo = 'host=127.0.0.1 port=15433 user=replicator application_name=pg1'")
    expect(statements.every((s) => !s.text.includes('s3cr3t') && !s.shown.includes('s3cr3t'))).toBe(true)
    const [op] = passfileOps(node, { user: 'replicator', password: 's3cr3t pass' })
    expect(op!.commands.join('\n')).not.toContain('s3cr3t')
    expect(passfileOps(node, { user: 'replicator' })).toEqual([])
    expect(maskConninfo("host=a password='x y' user=b")).toBe('host=a password=*** user=b')
  })
  it('sets the replication line of ~/.pgpass and keeps the others, escaping : and \\', () => {
    const before = 'db1:5432:app:alice:pw\n*:*:replication:replicator:old\n'
    expect(withReplicationLine(before, 'replicator', 'n:e\\w')).toBe('db1:5432:app:alice:pw\n*:*:replication:replicator:n\\:e\\\\w\n')
    expect(withReplicationLine('', 'rep', 'x')).toBe('*:*:replication:rep:x\n')
  })
  it('builds pg_ctl lines with every argument quoted', () => {
    expect(cmd.stop(node, 'fast')).toBe('/usr/lib/postgresql/15/bin/pg_ctl -D /tmp/lab/pg/pg1 stop -m fast -w -t 60')
    expect(cmd.start(node)).toBe('/usr/lib/postgresql/15/bin/pg_ctl -D /tmp/lab/pg/pg1 -l /tmp/lab/pg/pg1.log -w -t 60 start </dev/null >/dev/null')
    expect(cmd.stop({ ...node, binDir: undefined, dataDir: '/data/my dir' }, 'immediate')).toBe("pg_ctl -D '/data/my dir' stop -m immediate -w -t 60")
    expect(() => cmd.stop({ ...node, dataDir: undefined }, 'fast')).toThrow(/no data directory/)
  })
  it('writes primary_conninfo into postgresql.auto.conf without a password', () => {
    const c = followConfCommand(node, up, { user: 'replicator', password: 'secret' })
    expect(c).not.toContain('secret')
    expect(c).toContain(
      "printf '%s\\n' 'primary_conninfo = '\\''host=127.0.0.1 port=15433 user=replicator application_name=pg1'\\''' 'primary_slot_name = '\\''pg1'\\''' >> /tmp/lab/pg/pg1/postgresql.auto.conf",
    )
  })
  it('reads the final checkpoint from pg_controldata', () => {
    const out = `pg_control version number:            1300\nDatabase cluster state:               shut down\nLatest checkpoint location:           0/406A730\nLatest checkpoint's REDO location:    0/406A730\nLatest checkpoint's TimeLineID:       2\n`
    expect(parseControlData(out)).toEqual({ state: 'shut down', checkpointLsn: '0/406A730', timeline: 2 })
    expect(() => parseControlData('garbage')).toThrow(/Latest checkpoint location/)
  })
  it('masks passwords in query texts shown from pg_stat_statements and pg_stat_activity', () => {
    expect(maskQuery("CREATE ROLE x LOGIN PASSWORD 'hunter2'")).toBe("CREATE ROLE x LOGIN PASSWORD '***'")
    expect(maskQuery("ALTER ROLE x PASSWORD 'it''s'; select 1")).toBe("ALTER ROLE x PASSWORD '***'; select 1")
    expect(maskQuery("select token from t where v = 'lab-pg-pass'", ['lab-pg-pass'])).not.toContain('lab-pg-pass')
  })
  it('accepts only safe absolute data directories and node locations', () => {
    expect(PgDataDir.safeParse('/tmp/switchyard-lab/pg/pg4').success).toBe(true)
    for (const bad of ['/', '/tmp', 'relative/dir', '/tmp/../etc', '/tmp/a b', '/tmp/$(x)', '/tmp/x;rm'])
      expect(PgDataDir.safeParse(bad).success, bad).toBe(false)
    expect(PgNodeLocation.safeParse({ name: 'pg4', host: '127.0.0.1', port: 15435, dataDir: '/tmp/x/pg4', sshHostId: 'lab-ssh-postgres' }).success).toBe(true)
  })
  it('picks the only PostgreSQL endpoint or the named one', () => {
    const eps = [
      { id: 'ssh', kind: 'ssh' },
      { id: 'pg', kind: 'postgres' },
    ]
    expect(pickEndpoint(eps)).toBe('pg')
    expect(() => pickEndpoint(eps, 'ssh')).toThrow(/not a PostgreSQL endpoint/)
    expect(() => pickEndpoint([...eps, { id: 'pg2', kind: 'postgres' }])).toThrow(/name one/)
    expect(() => pickEndpoint([{ id: 'ssh', kind: 'ssh' }])).toThrow(/no PostgreSQL endpoint/)
  })
})
