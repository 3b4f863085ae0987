import { describe, expect, it } from 'vitest'
import { sentinelDataLoss } from '../../src/main/systems/sentinel/actions/failover'

describe('what a Sentinel failover loses', () => {
  it('is the lag of the replica Sentinel will pick (the most caught up), in bytes', () => {
    expect(
      sentinelDataLoss('m:1', [
        { addr: 'r:1', lagBytes: 4096 },
        { addr: 'r:2', lagBytes: 1536 },
      ]),
    ).toBe('up to 1.5 KiB of writes m:1 accepted that even the most caught-up replica (r:2) has not received, and whatever it accepts until the switch')
    expect(sentinelDataLoss('m:1', [{ addr: 'r:1', lagBytes: 0 }])).toBe(
      'the writes m:1 accepts between now and the switch, which no replica has yet (r:1 is caught up)',
    )
    expect(sentinelDataLoss('m:1', [{ addr: 'r:1', lagBytes: null }])).toMatch(/lag is unknown/)
  })
})
