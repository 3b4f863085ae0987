import { Alert, Button, Group, Text } from '@mantine/core'
import type { HealthStatus } from '../../../shared/health'

export interface PageFinding {
  /** 'info' for what is worth knowing and needs nothing done. */
  status: HealthStatus | 'info'
  code?: string
  reason: string
  fix?: { label: string; request: Record<string, unknown> }
}

/** A finding told by severity (Redis, Sentinel) as the pages show it. */
export function severityFinding(f: {
  severity: 'info' | 'warn' | 'critical'
  message: string
  code?: string
  fix?: { kind: string; label: string }
}): PageFinding {
  return {
    status: f.severity,
    code: f.code,
    reason: f.message,
    fix: f.fix && { label: f.fix.label, request: { kind: f.fix.kind } },
  }
}

const COLOR: Record<PageFinding['status'], string> = { critical: 'red', warn: 'yellow', unknown: 'yellow', info: 'blue', ok: 'teal' }

/** A system's findings that need attention, each with the button for its fix when it has one. */
export function FindingAlerts({ findings, prefix, onFix }: { findings: readonly PageFinding[]; prefix: string; onFix?: (f: PageFinding) => void }) {
  return findings
    .filter((f) => f.status !== 'ok')
    .map((f, i) => (
      <Alert key={i} color={COLOR[f.status]} p="xs" data-testid={f.code ? `${prefix}-finding-${f.code}` : undefined}>
        <Group justify="space-between" wrap="nowrap">
          <Text size="sm">{f.reason}</Text>
          {f.fix && onFix && (
            <Button size="xs" variant="light" style={{ flexShrink: 0 }} onClick={() => onFix(f)} data-testid={f.code ? `${prefix}-fix-${f.code}` : undefined}>
              {f.fix.label}
            </Button>
          )}
        </Group>
      </Alert>
    ))
}
