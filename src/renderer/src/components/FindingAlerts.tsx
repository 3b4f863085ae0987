import { Alert, Button, Group, Text } from '@mantine/core'
import type { HealthStatus } from '../../../shared/health'

export interface PageFinding {
  status: HealthStatus
  code?: string
  reason: string
  fix?: { label: string; request: Record<string, unknown> }
}

/** A system's findings that need attention, each with the button for its fix when it has one. */
export function FindingAlerts({ findings, prefix, onFix }: { findings: readonly PageFinding[]; prefix: string; onFix?: (f: PageFinding) => void }) {
  return findings
    .filter((f) => f.status !== 'ok')
    .map((f, i) => (
      <Alert key={i} color={f.status === 'critical' ? 'red' : 'yellow'} p="xs" data-testid={f.code ? `${prefix}-finding-${f.code}` : undefined}>
        <Group justify="space-between" wrap="nowrap">
          <Text size="sm">{f.reason}</Text>
          {f.fix && onFix && (
            <Button size="xs" variant="light" onClick={() => onFix(f)} data-testid={f.code ? `${prefix}-fix-${f.code}` : undefined}>
              {f.fix.label}
            </Button>
          )}
        </Group>
      </Alert>
    ))
}
