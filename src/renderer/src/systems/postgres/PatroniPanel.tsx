import { Alert, Badge, Card, Code, Group, Stack, Table, Text } from '@mantine/core'
import type { PatroniView } from '../../../../shared/systems/patroni'
import { TableHead } from '../../components/TableHead'

const LEADER_ROLES = new Set(['leader', 'master', 'primary', 'standby_leader'])
const lag = (b: number | null) => (b === null ? 'unknown' : b === 0 ? '0 B' : b >= 1048576 ? `${(b / 1048576).toFixed(1)} MiB` : `${b} B`)

/** The cluster as Patroni sees it: members, roles, timelines, lag, tags, pending restarts, the pause, its history and where PostgreSQL disagrees. */
export function PatroniPanel({ view }: { view: PatroniView }) {
  if (view.error)
    return (
      <Alert color="orange" title="Patroni manages this cluster">
        {view.error}
      </Alert>
    )
  const tags = (t: Record<string, unknown>) =>
    Object.entries(t)
      .filter(([, v]) => v !== false)
      .map(([k, v]) => (v === true ? k : `${k}=${String(v)}`))
  return (
    <Card withBorder data-testid="patroni-panel">
      <Group justify="space-between" mb="xs">
        <Group gap="xs">
          <Text fw={600}>Patroni</Text>
          <Code>{view.scope ?? '?'}</Code>
          <Text size="sm" c="dimmed">
            {view.version ? `v${view.version}` : ''} · read from {view.source}
          </Text>
        </Group>
        <Group gap="xs">
          {view.paused ? (
            <Badge color="orange" data-testid="patroni-paused">
              paused: no automatic failover
            </Badge>
          ) : (
            <Badge color="teal" variant="light">
              automatic failover on
            </Badge>
          )}
          {view.scheduledSwitchover && (
            <Badge color="blue" variant="light">
              switchover to {view.scheduledSwitchover.to ?? '?'} at {view.scheduledSwitchover.at}
            </Badge>
          )}
        </Group>
      </Group>
      <Stack gap="xs">
        {view.disagreements.map((d) => (
          <Alert key={d} color="red" p="xs">
            Patroni and PostgreSQL disagree: {d}
          </Alert>
        ))}
        <Table data-testid="patroni-members">
          <TableHead columns={['Member', 'Role', 'State', 'Address', 'Timeline', 'Lag', 'Notes']} />
          <Table.Tbody>
            {view.members.map((m) => (
              <Table.Tr key={m.name} data-role={m.role}>
                <Table.Td ff="monospace">{m.name}</Table.Td>
                <Table.Td>
                  <Badge color={LEADER_ROLES.has(m.role) ? 'blue' : 'gray'} variant="light">
                    {m.role}
                  </Badge>
                </Table.Td>
                <Table.Td>{m.state}</Table.Td>
                <Table.Td ff="monospace">{m.host ? `${m.host}:${m.port ?? ''}` : '—'}</Table.Td>
                <Table.Td>{m.timeline ?? '—'}</Table.Td>
                <Table.Td>{LEADER_ROLES.has(m.role) ? '—' : lag(m.lagBytes)}</Table.Td>
                <Table.Td>
                  <Group gap={4}>
                    {m.pendingRestart && (
                      <Badge color="orange" size="xs">
                        restart pending
                      </Badge>
                    )}
                    {tags(m.tags).map((t) => (
                      <Badge key={t} size="xs" variant="outline">
                        {t}
                      </Badge>
                    ))}
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
        {view.history.length > 0 && (
          <Text size="xs" c="dimmed" data-testid="patroni-history">
            Timeline history:{' '}
            {view.history
              .slice(-5)
              .map((h) => `${h.timeline} → ${h.leader ?? '?'}${h.at ? ` (${new Date(h.at).toLocaleString()})` : ''}`)
              .join(' · ')}
          </Text>
        )}
      </Stack>
    </Card>
  )
}
