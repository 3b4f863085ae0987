import { Badge, Group, Switch, Text, TextInput } from '@mantine/core'
import { countByStatus, type FleetQuery } from '../../../../shared/domain/fleet'
import type { EnvironmentHealth, HealthStatus } from '../../../../shared/health'
import { STATUS_COLOR } from '../../components/StatusBadge'

const ORDER: HealthStatus[] = ['critical', 'warn', 'unknown', 'ok']

/** How the fleet stands (environments per status), a filter, and "problems only". */
export function FleetToolbar({
  environments,
  query,
  onQuery,
}: {
  environments: readonly EnvironmentHealth[]
  query: FleetQuery
  onQuery: (q: FleetQuery) => void
}) {
  const counts = countByStatus(environments)
  return (
    <Group justify="space-between" data-testid="fleet-toolbar">
      <Group gap="xs" data-testid="fleet-summary">
        <Text size="sm" fw={600}>
          {environments.length} environment{environments.length === 1 ? '' : 's'}
        </Text>
        {ORDER.filter((s) => counts[s] > 0).map((s) => (
          <Badge key={s} color={STATUS_COLOR[s]} variant={s === 'ok' ? 'light' : 'filled'} data-testid={`fleet-count-${s}`}>
            {counts[s]} {s}
          </Badge>
        ))}
      </Group>
      <Group gap="md">
        <TextInput
          size="xs"
          w={280}
          placeholder="Filter: environment, system, reason"
          value={query.text}
          onChange={(e) => onQuery({ ...query, text: e.currentTarget.value })}
          data-testid="overview-filter"
          aria-label="Filter environments and systems"
        />
        <Switch
          size="sm"
          label="Problems only"
          checked={query.problemsOnly}
          onChange={(e) => onQuery({ ...query, problemsOnly: e.currentTarget.checked })}
          data-testid="overview-problems"
        />
      </Group>
    </Group>
  )
}
