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
          <Text size="sm" c={s.carried ? 'dimmed' : undefined}>
            {i + 1}. {s.title}
            {s.carried && (
              <Text span size="xs" c="teal" ml={6}>
                ✓ {s.carried}: not sent again
              </Text>
            )}
            {s.irreversible && (
              <Text span size="xs" c="red" ml={6} title="a roll back stops before this step">
                forward only from here
              </Text>
            )}
          </Text>
          {s.commands.length > 0 && (
            <Code block style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>
              {s.commands.join('\n')}
            </Code>
          )}
          {s.undo && (
            <Text size="xs" c="dimmed">
              undo: {s.undo.title}
            </Text>
          )}
        </Stack>
      ))}
    </Stack>
  )
}
