import { Alert, Badge, Card, Code, Group, Stack, Text } from '@mantine/core'
import type { PatroniMember, PatroniView } from '../../../../shared/systems/patroni'
import { formatBytes } from '../../../../shared/domain/units'
import { DataTable, type Column } from '../../components/DataTable'
import { linkedNode } from '../../routes'

const LEADER_ROLES = new Set(['leader', 'master', 'primary', 'standby_leader'])
const lag = (b: number | null) => (b === null ? 'unknown' : formatBytes(b))
const tags = (t: Record<string, unknown>) =>
  Object.entries(t)
    .filter(([, v]) => v !== false)
    .map(([k, v]) => (v === true ? k : `${k}=${String(v)}`))

const MEMBER_COLUMNS: Column<PatroniMember>[] = [
  { title: 'Member', mono: true, cell: (m) => m.name },
  {
    title: 'Role',
    cell: (m) => (
      <Badge color={LEADER_ROLES.has(m.role) ? 'blue' : 'gray'} variant="light">
        {m.role}
      </Badge>
    ),
  },
  { title: 'State', cell: (m) => m.state },
  { title: 'Address', mono: true, cell: (m) => (m.host ? `${m.host}:${m.port ?? ''}` : '—') },
  { title: 'Timeline', cell: (m) => m.timeline ?? '—' },
  { title: 'Lag', cell: (m) => (LEADER_ROLES.has(m.role) ? '—' : lag(m.lagBytes)) },
  {
    title: 'Notes',
    cell: (m) => (
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
    ),
  },
]

/** The cluster as Patroni sees it: members, roles, timelines, lag, tags, pending restarts, the pause, its history and where PostgreSQL disagrees. */
export function PatroniPanel({ view }: { view: PatroniView }) {
  if (view.error)
    return (
      <Alert color="orange" title="Patroni manages this cluster">
        {view.error}
      </Alert>
    )
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
        <DataTable
          testId="patroni-members"
          rows={view.members}
          columns={MEMBER_COLUMNS}
          rowKey={(m) => m.name}
          rowAttributes={(m) => ({ 'data-role': m.role })}
          focused={(m) => m.name === linkedNode()}
        />
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
