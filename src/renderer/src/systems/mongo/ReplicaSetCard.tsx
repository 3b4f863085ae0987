import { Alert, Badge, Button, Card, Group, Progress, Stack, Text, Title } from '@mantine/core'
import { formatBytes, formatSeconds, secondsOrDash } from '../../../../shared/domain/units'
import { memberServes } from '../../../../shared/domain/mongo-findings'
import type { MongoMember, MongoReplicaSet } from '../../../../shared/systems/mongo'
import { StatusBadge } from '../../components/StatusBadge'
import { DataTable, type Column } from '../../components/DataTable'
import { linkedNode } from '../../routes'

const stateColor = (m: MongoMember) => (m.state === 'PRIMARY' ? 'blue' : !m.healthy ? 'red' : memberServes(m) ? 'teal' : 'yellow')
const flags = (m: MongoMember) => [m.hidden && 'hidden', m.delaySecs && `delayed ${m.delaySecs} s`, m.arbiter && 'arbiter'].filter(Boolean).join(', ') || '—'

const memberColumns = (rs: MongoReplicaSet): Column<MongoMember>[] => [
  { title: 'member', cell: (m) => m.host },
  {
    title: 'state',
    cell: (m) => (
      <>
        <Badge color={stateColor(m)} variant="light">
          {m.state}
        </Badge>
        {m.initialSync && <InitialSyncBar member={m} />}
      </>
    ),
  },
  { title: 'lag', cell: (m) => (m.host === rs.primary ? '—' : secondsOrDash(m.lagSeconds)) },
  { title: 'priority / votes', cell: (m) => `${m.priority} / ${m.votes}` },
  { title: 'flags', cell: flags },
  { title: 'oplog window', cell: (m) => (m.oplog ? `${m.oplog.windowHours.toFixed(1)} h` : m.error ? m.error.message : '—') },
]

export function ReplicaSetCard({ rs, onStepDown }: { rs: MongoReplicaSet; onStepDown?: () => void }) {
  return (
    <Card withBorder data-testid={`rs-${rs.name}`}>
      <Group justify="space-between">
        <Group>
          <Title order={5}>{rs.name}</Title>
          <Text size="sm" c="dimmed">
            {rs.role === 'config' ? 'config servers' : `shard ${rs.shard ?? ''}`} · term {rs.term ?? '—'} · election timeout {rs.electionTimeoutMs} ms
          </Text>
          <StatusBadge status={rs.status} />
        </Group>
        {onStepDown && (
          <Button size="xs" variant="light" disabled={!rs.primary} onClick={onStepDown} data-testid={`stepdown-${rs.name}`}>
            Step down {rs.primary ?? 'the primary'}
          </Button>
        )}
      </Group>
      {rs.error && <Alert color="red">{rs.error.message}</Alert>}
      <DataTable
        rows={rs.members}
        columns={memberColumns(rs)}
        rowKey={(m) => m.host}
        focused={(m) => [m.host, `${rs.name} ${m.host}`].includes(linkedNode() ?? '')}
        rowAttributes={(m) => ({ 'data-testid': `member-${m.host}`, 'data-state': m.state })}
      />
    </Card>
  )
}

/** A member's initial sync as it reports it: bytes copied of the source's data, and the time left. */
function InitialSyncBar({ member }: { member: MongoMember }) {
  const p = member.initialSync!
  return (
    <Stack gap={2} mt={4} data-testid={`initial-sync-${member.host}`}>
      <Progress value={p.percent ?? 0} size="sm" color="yellow" />
      <Text size="xs" c="dimmed">
        initial sync {p.percent === null ? 'starting' : `${Math.floor(p.percent)} %`}
        {p.copiedBytes !== null && p.totalBytes !== null ? ` · ${formatBytes(p.copiedBytes)} of ${formatBytes(p.totalBytes)}` : ''}
        {p.remainingMs !== null ? ` · ${formatSeconds(p.remainingMs / 1000)} left` : ''}
        {p.attempt > 1 ? ` · attempt ${p.attempt}` : ''}
      </Text>
    </Stack>
  )
}
