import { List, Stack, Text } from '@mantine/core'
import type { ActionPlan } from '../../../shared/actions'
import { checkText, predictedText, trackSummary } from '../../../shared/domain/run-estimate'

/** How long a plan will take and pause writes, where that comes from, and how the last predictions for this target did. */
export function PlanEstimate({ plan }: { plan: ActionPlan }) {
  const { estimate, track } = plan
  const summary = trackSummary(track)
  if (!estimate && !summary) return null
  return (
    <Stack gap={2} data-testid="action-estimate">
      {estimate?.duration && (
        <Text size="sm">
          <b>How long:</b> {predictedText(estimate.duration)}
          {estimate.writePause && (
            <>
              {' '}
              · <b>writes pause:</b> {predictedText(estimate.writePause)}
            </>
          )}
        </Text>
      )}
      {estimate && (
        <Text size="xs" c="dimmed">
          from {estimate.basis}
        </Text>
      )}
      {summary && (
        <>
          <Text size="xs" c="dimmed" data-testid="action-track">
            {summary}:
          </Text>
          <List size="xs" c="dimmed" spacing={0}>
            {track.slice(0, 3).map((c) => (
              <List.Item key={`${c.runId}-${c.metric}`}>
                {new Date(c.at).toLocaleString()}: {checkText(c)}
              </List.Item>
            ))}
          </List>
        </>
      )}
    </Stack>
  )
}
