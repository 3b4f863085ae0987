import { describe, expect, it } from 'vitest'
import { KeyFileCipher } from '../../src/main/core/inventory/secret-cipher'
import { ServiceHub } from '../../src/main/core/service-hub'
import { dockerReplicas } from '../../src/main/systems/docker'
import { nginxService } from '../../src/main/systems/nginx/nginx-service'
import { postgresService } from '../../src/main/systems/postgres/postgres-service'
import { labHub } from '../support/lab'

/** The charts' history lives in the data folder's database: a restarted hub draws what the last one saw. */
describe('metric history across a restart', () => {
  it('keeps PostgreSQL lag and nginx rates after the hub is closed and a new one opens the same data folder', async () => {
    const { hub, dataDir } = await labHub()
    for (let i = 0; i < 3; i++) {
      await postgresService(hub).topology('lab', 'postgres')
      await nginxService(hub, dockerReplicas).tier('lab')
      await new Promise((r) => setTimeout(r, 300))
    }
    const lagBefore = (await postgresService(hub).lagHistory('lab', 'postgres')).samples
    expect(lagBefore).toHaveLength(3)
    await hub.close()

    const again = new ServiceHub({ dataDir, cipher: new KeyFileCipher(dataDir) })
    try {
      const lag = (await postgresService(again).lagHistory('lab', 'postgres')).samples
      expect(lag).toEqual(lagBefore)
      expect(Object.keys(lag[0]!.standbys).sort()).toEqual(['pg2', 'pg3'])
      expect(lag[0]!.standbys.pg2!.status).toBe('ok')
      const stub = (await nginxService(again, dockerReplicas).stubHistory('lab')).samples
      expect(stub).toHaveLength(3)
      expect(stub[2]!.requestsPerSec).toBeGreaterThan(0)
      // a new poll continues the same series
      await postgresService(again).topology('lab', 'postgres')
      expect((await postgresService(again).lagHistory('lab', 'postgres')).samples).toHaveLength(4)
    } finally {
      await again.close()
    }
  })
})
