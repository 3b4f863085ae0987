import { describe, expect, it } from 'vitest'
import { reportHtml, reportMarkdown } from '../../src/shared/domain/report'
import { factChanges, mergeFacts } from '../../src/shared/domain/timeline'
import { fillArgs, Procedure } from '../../src/shared/procedures'
import type { Fact } from '../../src/shared/timeline'

const f = (subject: string, aspect: Fact['aspect'], value: string, endpointId = 'redis'): Fact => ({ endpointId, subject, aspect, value })

describe('timeline facts', () => {
  it('records value changes, members joining and leaving, and nothing for an endpoint it could not observe', () => {
    const prev = [f('a:1', 'role', 'master'), f('a:2', 'role', 'replica'), f('a:1', 'slots', '5461'), f('pg1', 'role', 'primary', 'pg')]
    const next = [f('a:1', 'role', 'replica'), f('a:2', 'role', 'master'), f('a:2', 'slots', '5461'), f('a:3', 'role', 'replica')]
    const out = factChanges(prev, next, new Set(['redis']), 1000).map((e) => `${e.kind} ${e.severity} ${e.message}`)
    expect(out).toEqual(['role warn a:1 became replica (was master)', 'role warn a:2 became master (was replica)', 'node info a:3 appeared (role replica)'])
    // pg was not observed this round: its facts are kept, not reported gone
    expect(mergeFacts(prev, next, new Set(['redis']))).toContainEqual(f('pg1', 'role', 'primary', 'pg'))
  })

  it('says a node went down and came back', () => {
    const down = factChanges([f('x', 'reachable', 'up')], [f('x', 'reachable', 'down')], new Set(['redis']), 1)
    expect(down[0]).toMatchObject({ kind: 'node', severity: 'critical', message: 'x is down' })
  })
})

describe('reports', () => {
  const doc = {
    title: 'T <script>',
    subtitle: 's',
    sections: [
      { kind: 'table' as const, title: 'Timeline', columns: ['a', 'b'], rows: [['<img src=x onerror=alert(1)>', 'a | b']], empty: '' },
      {
        kind: 'charts' as const,
        title: 'Charts',
        from: 0,
        to: 10,
        series: [
          {
            label: 'ops',
            unit: 'ops/s',
            points: [
              [0, 1],
              [5, null],
              [10, 3],
            ] as [number, number | null][],
          },
        ],
      },
    ],
  }
  it('escapes every value in HTML and draws charts as inline SVG', () => {
    const html = reportHtml(doc)
    expect(html).not.toContain('<img')
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;')
    expect(html).toContain('<svg')
    expect(html).toContain('@media print')
  })
  it('keeps Markdown tables intact and sums up charts', () => {
    const md = reportMarkdown(doc)
    expect(md).toContain('a \\| b')
    expect(md).toMatch(/\| ops \| ops\/s \| 1 \| 3 /)
  })
})

describe('procedure parameters', () => {
  it('fills a whole-value placeholder with its typed value', () => {
    const types = { node: 'hostport', n: 'number', s: 'string' } as const
    expect(fillArgs({ node: '{{node}}', n: '{{n}}', t: 'on {{s}}' }, { node: '127.0.0.1:7006', n: '24', s: 'x' }, types)).toEqual({
      node: { host: '127.0.0.1', port: 7006 },
      n: 24,
      t: 'on x',
    })
  })
  it('refuses a step gating on a later step and a duplicate id', () => {
    const r = Procedure.safeParse({
      name: 'p',
      title: 'P',
      steps: [
        { id: 'a', manual: 'x', needs: ['b'] },
        { id: 'b', manual: 'y' },
        { id: 'b', manual: 'z' },
      ],
    })
    expect(r.success).toBe(false)
    expect(r.error!.issues.map((i) => i.message)).toEqual(['"b" is not an earlier step', 'step id "b" is used twice'])
  })
})
