import { describe, expect, it } from 'vitest'
import { gradeHigh, pluginExitCode, reasonFor, worstStatus } from '../../src/shared/domain/health'

describe('health roll-up', () => {
  it('takes the worst status, with unknown above ok and below warn', () => {
    expect(worstStatus(['ok', 'ok'])).toBe('ok')
    expect(worstStatus(['ok', 'unknown'])).toBe('unknown')
    expect(worstStatus(['unknown', 'warn', 'ok'])).toBe('warn')
    expect(worstStatus(['warn', 'critical'])).toBe('critical')
    expect(worstStatus([])).toBe('unknown')
  })

  it('exits like a monitoring plugin', () => {
    expect([pluginExitCode('ok'), pluginExitCode('warn'), pluginExitCode('critical'), pluginExitCode('unknown')]).toEqual([0, 1, 2, 3])
  })

  it('grades thresholds and explains the worst items only', () => {
    expect(gradeHigh(79, { warn: 80, critical: 90 })).toBe('ok')
    expect(gradeHigh(80, { warn: 80, critical: 90 })).toBe('warn')
    expect(gradeHigh(95, { warn: 80, critical: 90 })).toBe('critical')
    expect(
      reasonFor(
        [
          { status: 'warn', reason: 'lag 2 MB' },
          { status: 'critical', reason: 'pg1 down' },
          { status: 'critical', reason: 'pg1 down' },
        ],
        'fine',
      ),
    ).toBe('pg1 down')
    expect(reasonFor([{ status: 'ok', reason: 'x' }], 'fine')).toBe('fine')
  })
})
