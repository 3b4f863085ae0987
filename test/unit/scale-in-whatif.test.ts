import { describe, expect, it } from 'vitest'
import { ScalingPolicy } from '../../src/shared/autoscale'
import { scaleInWhatIf } from '../../src/shared/domain/scale-in-whatif'

const policy = ScalingPolicy.parse({
  name: 'api',
  endpoint: 'nginx',
  upstream: 'api',
  min: 1,
  max: 6,
  metrics: [
    { metric: 'cpu', up: 70, down: 30 },
    { metric: 'requests-per-replica', up: 200, down: 50 },
  ],
})

describe('what a scale-in leaves each replica', () => {
  it('shares the CPU and the requests of the replicas that go over the ones that stay', () => {
    const r = scaleInWhatIf({ cpu: 30, 'requests-per-replica': 60, memory: 40 }, 4, 2, [policy])
    expect(r.notes).toEqual(['CPU per replica: 30 % now on 4, about 60 % on 2', 'requests per replica: 60 req/s now on 4, about 120 req/s on 2'])
    expect(r.warnings).toEqual([])
  })

  it("warns when the prediction crosses the policy's scale-up threshold: the autoscaler would undo it", () => {
    const r = scaleInWhatIf({ cpu: 50, 'requests-per-replica': 60 }, 3, 2, [policy])
    expect(r.warnings).toEqual([
      expect.stringMatching(/each of the 2 replicas would run at about 75 % CPU, above policy api's scale-up threshold \(70 %\)/) as string,
    ])
  })

  it('says nothing for a scale-out, or when the load is not known', () => {
    expect(scaleInWhatIf({ cpu: 90 }, 2, 4, [policy])).toEqual({ notes: [], warnings: [] })
    expect(scaleInWhatIf({ cpu: null }, 4, 2, [policy])).toEqual({ notes: [], warnings: [] })
  })
})
