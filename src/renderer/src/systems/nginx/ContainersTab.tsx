import { Alert, Badge, Card, Code, Group, SimpleGrid, Stack, Text, Tooltip } from '@mantine/core'
import { formatBytes } from '../../../../shared/domain/units'
import type { Replica } from '../../../../shared/systems/docker'
import type { AppTier } from '../../../../shared/systems/nginx'
import { REPLICA_LOAD } from '../../../../shared/domain/thresholds'
import { LoadCell } from './cells'
import { DataTable, type Column } from '../../components/DataTable'
import { RowActions } from '../../components/RowActions'
import { linkedNode } from '../../routes'

const labelsText = (c: Replica) =>
  Object.entries(c.labels)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n') || 'no labels'

const containerColumns = (onLogs: (r: Replica) => void): Column<Replica>[] => [
  {
    title: 'container',
    cell: (c) => (
      <Group gap={6} wrap="nowrap">
        <RowActions subject={c.name} testId={`container-actions-${c.name}`} actions={[{ label: 'Logs', onClick: () => onLogs(c), testId: `logs-${c.name}` }]} />
        <Tooltip multiline w={480} label={labelsText(c)} style={{ whiteSpace: 'pre-wrap' }}>
          <Code>{c.name}</Code>
        </Tooltip>
      </Group>
    ),
  },
  { title: 'service', cell: (c) => `${c.group ?? '—'}${c.slot !== null ? ` #${c.slot}` : ''}` },
  {
    title: 'state',
    cell: (c) => (
      <Badge color={c.running ? 'teal' : 'red'} variant="light">
        {c.state}
      </Badge>
    ),
  },
  { title: 'health', cell: (c) => (c.health === 'none' ? '—' : c.health) },
  { title: 'restarts', cell: (c) => c.restarts },
  { title: 'port', cell: (c) => c.port ?? '—' },
  { title: 'CPU', cell: (c) => <LoadCell value={c.cpuPct} high={REPLICA_LOAD.cpuHighPct} /> },
  {
    title: 'memory',
    cell: (c) => (
      <>
        <LoadCell value={c.memPct} high={REPLICA_LOAD.memHighPct} />
        {c.memBytes !== null && (
          <Text size="xs" c="dimmed">
            {formatBytes(c.memBytes)}
          </Text>
        )}
      </>
    ),
  },
  {
    title: 'network',
    cell: (c) =>
      c.netRxBps === null ? (
        <Text c="dimmed" size="xs">
          {c.running ? 'host network' : '—'}
        </Text>
      ) : (
        <Text size="xs">
          ↓ {formatBytes(c.netRxBps)}/s ↑ {formatBytes(c.netTxBps ?? 0)}/s
        </Text>
      ),
  },
  { title: 'image', cell: (c) => <Text size="xs">{c.image}</Text> },
]

export function ContainersTab({ tier, onLogs }: { tier: AppTier; onLogs: (r: Replica) => void }) {
  return (
    <Stack>
      {tier.dockerErrors.map((e) => (
        <Alert key={e.endpointId} color="red">
          {e.endpointId}: {e.message}
        </Alert>
      ))}
      <SimpleGrid cols={{ base: 1, md: 3 }}>
        {tier.groups.map((g) => (
          <Card withBorder key={g.key} data-testid={`service-${g.key}`}>
            <Group justify="space-between">
              <Text fw={600}>{g.name}</Text>
              <Badge variant="light">{g.kind}</Badge>
            </Group>
            <Text size="sm">
              {g.running}/{g.desired} running{g.update ? ` · update ${g.update}` : ''}
            </Text>
            <Text size="xs" c="dimmed">
              {g.notScalable ?? `ports: ${g.portRule ?? '?'}`}
            </Text>
          </Card>
        ))}
      </SimpleGrid>
      <DataTable
        striped
        nowrap
        minWidth={1000}
        testId="containers-table"
        rows={tier.containers}
        columns={containerColumns(onLogs)}
        rowKey={(c) => c.id}
        focused={(c) => c.name === linkedNode()}
      />
    </Stack>
  )
}
