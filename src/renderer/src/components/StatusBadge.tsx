import { Badge } from '@mantine/core'
import type { HealthStatus } from '../../../shared/health'

export const STATUS_COLOR: Record<HealthStatus, string> = { ok: 'teal', warn: 'yellow', critical: 'red', unknown: 'gray' }
const LABEL: Record<HealthStatus, string> = { ok: 'OK', warn: 'WARN', critical: 'CRITICAL', unknown: 'UNKNOWN' }

export function StatusBadge({ status, size = 'sm' }: { status: HealthStatus; size?: 'xs' | 'sm' | 'md' | 'lg' }) {
  return (
    <Badge color={STATUS_COLOR[status]} variant={status === 'ok' ? 'light' : 'filled'} size={size} data-status={status}>
      {LABEL[status]}
    </Badge>
  )
}
