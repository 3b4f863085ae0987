import { Code, Stack, Text } from '@mantine/core'
import type { ActionPlan } from '../../../shared/actions'

/** A plan's steps with the exact commands each sends: the dry run a person reads before confirming. */
export function PlanSteps({ plan }: { plan: ActionPlan }) {
  return (
    <Stack gap={4} data-testid="action-plan">
      <Text fw={600} size="sm">
        Plan (exact commands)
      </Text>
      {plan.steps.map((s, i) => (
        <Stack key={i} gap={2}>
          <Text size="sm">
            {i + 1}. {s.title}
          </Text>
          {s.commands.length > 0 && (
            <Code block style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>
              {s.commands.join('\n')}
            </Code>
          )}
        </Stack>
      ))}
    </Stack>
  )
}
