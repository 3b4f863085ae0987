import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { capacityScope } from '../../src/main/features/capacity/capacity-history'
import { capacityReport } from '../../src/main/features/capacity/capacity-report'
import { MONGO_PASSWORD, MONGO_USER, mongoLab, type MongoLab } from '../support/mongo-lab'
import { mongosh, n } from '../support/mongosh'

const GIB = 1024 ** 3
const HOUR = 3_600_000

/**
 * A shard's data against its fullest member's disk and a replica set's oplog window against its
 * floor, read as the server answers dbStats and listDatabases (checked with mongosh), recorded,
 * and forecast from history: the shard that fills first and the window that shrinks are critical.
 */
describe('MongoDB capacity', () => {
  let lab: MongoLab

  beforeAll(async () => {
    lab = await mongoLab()
  })
  afterAll(async () => {
    await lab?.close()
  })

  it('reads each member’s filesystem and databases as mongosh shows them', async () => {
    const c = await lab.read()
    const host = c.replicaSets.find((r) => r.name === 'shardA')!.members[1]!.host
    const disk = c.replicaSets.flatMap((r) => r.members).find((m) => m.host === host)!.disk!
    const out = await mongosh(
      `mongodb://${host}/admin?directConnection=true`,
      MONGO_USER,
      MONGO_PASSWORD,
      `out({ stats: db.stats(), mib: db.getSiblingDB('shop').stats(1024 * 1024), dbs: db.adminCommand({ listDatabases: 1 }) })`,
    )
    expect(n(out.stats.fsUsedSize)).toBe(disk.usedBytes)
    expect(n(out.stats.fsTotalSize)).toBe(disk.totalBytes)
    expect(n(out.dbs.totalSize)).toBe(disk.dataBytes)
    expect((out.dbs.databases as { name: string }[]).map((d) => d.name).sort()).toEqual(['admin', 'config', 'local', 'logs', 'shop'])
    expect(n(out.mib.scaleFactor)).toBe(1024 * 1024)
    expect(n(out.mib.fsTotalSize)).toBe(Math.floor(disk.totalBytes / (1024 * 1024)))
    expect(n(out.mib.collections)).toBe(2)
    expect(disk.usedBytes).toBeGreaterThan(disk.dataBytes)
  })

  it('forecasts the shard whose member’s disk fills and the oplog window that shrinks, worst first', async () => {
    // shardB's second member has 3 GiB left; shardC's primary oplog covers 30 h
    const b = lab.peer.cluster.sets.get('shardB')!
    const read = await lab.read()
    const member = read.replicaSets.find((r) => r.name === 'shardB')!.members[1]!
    b.members[1]!.disk = { totalBytes: member.disk!.usedBytes + 3 * GIB, otherBytes: b.members[1]!.disk.otherBytes }
    lab.peer.cluster.sets.get('shardC')!.oplogWindowMs = 30 * HOUR

    // three hours of history: shardB's data growing 1 GiB an hour, shardC's window shrinking 1 h an hour
    const now = Date.now()
    const data = member.disk!.dataBytes
    for (let t = now - 3 * HOUR, i = 0; t < now - 60_000; t += 60_000, i++)
      lab.hub.history.record(capacityScope('mongo', 'mongo'), t, {
        'mongo-shard-data|shardB': data - ((now - t) / HOUR) * GIB + Math.sin(i) * 5e6,
        'mongo-oplog-window|shardC': (30 * HOUR + (now - t)) / 1000 + Math.cos(i) * 30,
      })
    await new Promise((r) => setTimeout(r, 1500)) // the history writes once a second

    const report = await capacityReport(lab.hub, 'mongo')
    const mongo = report.resources.filter((r) => r.system === 'mongo')
    expect(mongo.map((r) => r.key)).toEqual(expect.arrayContaining(['mongo|mongo-shard-data|shardA', 'mongo|mongo-oplog-window|configRepl']))
    const [first, second] = mongo
    expect(first!.key).toBe('mongo|mongo-shard-data|shardB')
    expect(first!.status).toBe('critical')
    expect(first!.summary).toMatch(new RegExp(`^shardB: data fills the free disk of ${member.host} in [23]\\.\\d h \\(`))
    expect(second!.key).toBe('mongo|mongo-oplog-window|shardC')
    expect(second!.status).toBe('critical')
    expect(second!.summary).toMatch(/^shardC: oplog window falls to 24\.0 h in [56]\.\d h \(/)
    expect(mongo.find((r) => r.key === 'mongo|mongo-oplog-window|shardA')!.summary).toMatch(
      /^shardA: oplog window: 48\.0 h \(floor 24\.0 h\); only 0 min of history/,
    )
  })
})
