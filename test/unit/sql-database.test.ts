import { execFileSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { node22Binary } from '../../scripts/node22'
import { AuditLog } from '../../src/main/core/audit-log'
import { HistoryStore } from '../../src/main/core/history/history-store'
import { availableDrivers, SqlDatabase, type DriverName } from '../../src/main/core/sqlite/sql-database'

// CI runs this file twice: on Node 20 (better-sqlite3) and on Node 22 (node:sqlite, npm run test:node22).
const hasNodeSqlite = process.getBuiltinModule?.('node:sqlite') !== undefined
const expected: DriverName = hasNodeSqlite ? 'node:sqlite' : 'better-sqlite3'
const dbFile = () => join(mkdtempSync(join(tmpdir(), 'switchyard-sql-')), 'switchyard.db')

describe(`the storage interface on Node ${process.versions.node}`, () => {
  it(`opens on ${expected}: node:sqlite wherever the runtime has it, so nothing native is loaded there`, () => {
    expect(availableDrivers()[0]).toBe(expected)
    const db = new SqlDatabase(dbFile())
    expect(db.driverName).toBe(expected)
    db.close()
  })

  for (const driver of availableDrivers()) {
    describe(driver, () => {
      const open = () => new SqlDatabase(dbFile(), { driver })

      it('runs statements with the same results: rows, changes, row ids, NULL and blobs', () => {
        const db = open()
        db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, n REAL, b BLOB)')
        const insert = db.prepare<[string, number | null, Uint8Array | null]>('INSERT INTO t (name, n, b) VALUES (?, ?, ?)')
        expect(Number(insert.run('a', 1.5, null).lastInsertRowid)).toBe(1)
        expect(Number(insert.run('b', null, new Uint8Array([1, 2, 3])).lastInsertRowid)).toBe(2)
        const rows = db.prepare<[], { id: number; name: string; n: number | null; b: Uint8Array | null }>('SELECT * FROM t ORDER BY id').all()
        expect(rows.map((r) => [r.id, r.name, r.n])).toEqual([
          [1, 'a', 1.5],
          [2, 'b', null],
        ])
        expect([...rows[1]!.b!]).toEqual([1, 2, 3])
        expect(db.prepare<[string], { id: number }>('SELECT id FROM t WHERE name = ?').get('zz')).toBeUndefined()
        expect(db.prepare('UPDATE t SET n = 0').run().changes).toBe(2)
        expect(db.pragmaValue('page_size')).toBeGreaterThan(0)
        db.close()
        expect(db.open).toBe(false)
      })

      it('commits a transaction when it returns, rolls it back when it throws, and nests as savepoints', () => {
        const db = open()
        db.exec('CREATE TABLE t (v INTEGER)')
        const add = db.prepare<[number]>('INSERT INTO t (v) VALUES (?)')
        const values = () =>
          db
            .prepare<[], { v: number }>('SELECT v FROM t ORDER BY v')
            .all()
            .map((r) => r.v)
        expect(db.transaction(() => (add.run(1), 'done'))).toBe('done')
        expect(() =>
          db.transaction(() => {
            add.run(2)
            throw new Error('midway')
          }),
        ).toThrow('midway')
        db.transaction(() => {
          add.run(3)
          expect(() =>
            db.transaction(() => {
              add.run(4)
              throw new Error('inner')
            }),
          ).toThrow('inner')
          add.run(5)
        })
        expect(values()).toEqual([1, 3, 5])
        db.close()
      })

      it('keeps WAL mode and the busy timeout set by PRAGMA', () => {
        const db = open()
        db.exec('PRAGMA journal_mode = WAL')
        db.exec('PRAGMA busy_timeout = 10000')
        expect(db.pragmaValue('journal_mode')).toBe('wal')
        expect(db.pragmaValue('busy_timeout')).toBe(10000)
        db.close()
      })
    })
  }

  it('keeps history and the audit trail in the same file on this driver', () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-sql-'))
    const t = Date.now() - 5000
    const h = HistoryStore.open(dir, { flushEveryMs: 0, maintainEveryMs: 0 })
    h.record('lab/redis/memory', t, { '127.0.0.1:7000': 1024 })
    const record = {
      id: 'r1',
      at: t,
      phase: 'started' as const,
      planId: 'p1',
      kind: 'redis.failover',
      environment: 'lab',
      target: '127.0.0.1:7001',
      actor: 'alice',
    }
    void new AuditLog(h.db, dir).append(record)
    h.close()
    const again = HistoryStore.open(dir, { flushEveryMs: 0, maintainEveryMs: 0 })
    expect(again.read('lab/redis/memory', 0).map((p) => p.values['127.0.0.1:7000'])).toEqual([1024])
    expect(new AuditLog(again.db, dir).between(0, Date.now())).toEqual([record])
    again.close()
  })

  const node22 = node22Binary()
  it.skipIf(hasNodeSqlite || !node22)('a file written on better-sqlite3 (the CLI on Node 20) opens and grows on node:sqlite (the app), and back', () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-sql-'))
    const t = Date.now() - 60_000
    const h = HistoryStore.open(dir, { flushEveryMs: 0, maintainEveryMs: 0 })
    h.record('lab/pg/lag', t, { pg2: 7 })
    h.close()
    const script = join(dir, 'other-runtime.ts')
    writeFileSync(
      script,
      `import { HistoryStore } from ${JSON.stringify(join(process.cwd(), 'src/main/core/history/history-store.ts'))}
const h = HistoryStore.open(${JSON.stringify(dir)}, { flushEveryMs: 0, maintainEveryMs: 0 })
const seen = h.read('lab/pg/lag', 0).map((p) => p.values.pg2)
h.record('lab/pg/lag', ${t + 1000}, { pg2: 8 })
h.close()
console.log(JSON.stringify({ driver: h.db.driverName, seen }))\n`,
    )
    const out = execFileSync(node22!, ['--import', 'tsx', script], { encoding: 'utf8', cwd: process.cwd() })
    expect(JSON.parse(out.trim().split('\n').at(-1)!)).toEqual({ driver: 'node:sqlite', seen: [7] })
    const back = HistoryStore.open(dir, { flushEveryMs: 0, maintainEveryMs: 0 })
    expect(back.read('lab/pg/lag', 0).map((p) => p.values.pg2)).toEqual([7, 8])
    back.close()
  })
})
