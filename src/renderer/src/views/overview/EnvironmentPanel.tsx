import { Badge, Button, Group, Paper, SimpleGrid, Text, Title } from '@mantine/core'
import { countByStatus } from '../../../../shared/domain/fleet'
import type { EnvironmentHealth } from '../../../../shared/health'
import { StatusBadge } from '../../components/StatusBadge'
import { SystemCard } from './SystemCard'
import { InterruptedRuns } from '../../components/InterruptedRuns'

function EnvironmentTitle({ env }: { env: EnvironmentHealth }) {
  return (
    <Group gap="sm">
      <Title order={3}>{env.environment}</Title>
      <StatusBadge status={env.status} size="md" />
      {env.readOnly && (
        <Badge color="grape" variant="light" title="every action is refused for this environment">
          read-only
        </Badge>
      )}
    </Group>
  )
}

function CheckedAt({ at }: { at: number }) {
  return (
    <Text size="xs" c="dimmed">
      checked {new Date(at).toLocaleTimeString()}
    </Text>
  )
}

/** One environment with a live card per system. */
export function EnvironmentPanel({ env, history, onFold }: { env: EnvironmentHealth; history: Record<string, number[]>; onFold?: () => void }) {
  return (
    <Paper withBorder p="md" data-testid={`env-${env.environment}`} data-status={env.status}>
      <Group justify="space-between" mb="sm">
        <EnvironmentTitle env={env} />
        <Group gap="xs">
          <CheckedAt at={env.checkedAt} />
          {onFold && (
            <Button size="compact-xs" variant="subtle" onClick={onFold} data-testid={`fold-${env.environment}`}>
              Fold
            </Button>
          )}
        </Group>
      </Group>
      <Text size="sm" mb="sm" c={env.status === 'ok' ? 'dimmed' : undefined} data-testid="env-reason">
        {env.reason}
      </Text>
      <InterruptedRuns runs={env.interrupted ?? []} />
      <SimpleGrid cols={{ base: 1, md: 2, xl: 3 }}>
        {env.systems.map((s) => (
          <SystemCard key={s.endpointId} environment={env.environment} system={s} latency={history[`${env.environment}/${s.endpointId}`] ?? []} />
        ))}
      </SimpleGrid>
    </Paper>
  )
}

/** A healthy environment on one line: its systems counted, unfolded on demand. */
export function FoldedEnvironment({ env, onUnfold }: { env: EnvironmentHealth; onUnfold: () => void }) {
  const counts = countByStatus(env.systems)
  return (
    <Paper
      withBorder
      px="sm"
      py={6}
      data-testid={`env-${env.environment}`}
      data-status={env.status}
      data-folded="true"
      title={`checked ${new Date(env.checkedAt).toLocaleTimeString()}`}
    >
      <Group justify="space-between" wrap="nowrap">
        <Group gap="xs" wrap="nowrap" style={{ minWidth: 0 }}>
          <Text fw={700} truncate>
            {env.environment}
          </Text>
          <StatusBadge status={env.status} size="xs" />
          <Text size="xs" c="dimmed" style={{ whiteSpace: 'nowrap' }}>
            {env.systems.length} system{env.systems.length === 1 ? '' : 's'}, {counts.ok} OK
          </Text>
        </Group>
        <Button size="compact-xs" variant="subtle" onClick={onUnfold} data-testid={`unfold-${env.environment}`}>
          Show
        </Button>
      </Group>
    </Paper>
  )
}
