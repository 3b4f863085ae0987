import { z } from 'zod'
import { describeAlert } from '../../../shared/domain/alert-eval'
import { defineCondition } from '../../core/conditions'
import { environmentFindings } from './environment-findings'
import { environmentWatch } from './environment-watch'

const Level = z.enum(['warn', 'critical']).default('critical')

/** Checks on the environment as a whole: its alerts and what its systems say needs attention. */
export const environmentConditions = [
  defineCondition({
    name: 'alerts.none-firing',
    summary: 'no alert at or above a level (critical by default) is firing, after a fresh evaluation',
    endpointKind: null,
    args: z.object({ level: Level }).strict(),
    async evaluate({ level }, ctx) {
      const { active } = await environmentWatch(ctx.hub).evaluate(ctx.environment)
      const firing = active.filter((a) => a.state === 'firing' && (level === 'warn' || a.level === 'critical'))
      return {
        passed: firing.length === 0,
        evidence: firing.length ? firing.map((a) => `${a.level}: ${describeAlert(a)}`) : [`no ${level === 'warn' ? '' : 'critical '}alert firing`],
      }
    },
  }),
  defineCondition({
    name: 'env.findings-clear',
    summary: 'no endpoint has a finding at or above a level (critical by default)',
    endpointKind: null,
    args: z.object({ level: Level }).strict(),
    async evaluate({ level }, ctx) {
      const findings = (await environmentFindings(ctx.hub, ctx.environment)).filter((f) => level === 'warn' || f.severity === 'critical')
      return {
        passed: findings.length === 0,
        evidence: findings.length ? findings.map((f) => `${f.endpointName}: ${f.severity}: ${f.message}`) : ['nothing needs attention'],
      }
    },
  }),
]
