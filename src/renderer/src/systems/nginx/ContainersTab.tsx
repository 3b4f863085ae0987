import { Alert, Badge, Button, Card, Code, Group, SimpleGrid, Stack, Table, Text, Tooltip } from '@mantine/core'
import { formatBytes } from '../../../../shared/domain/units'
import type { Replica } from '../../../../shared/systems/docker'
import type { AppTier } from '../../../../shared/systems/nginx'
import { REPLICA_LOAD } from '../../../../shared/domain/thresholds'
import { LoadCell } from './cells'
import { TableHead } from '../../components/TableHead'

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
      <Table.ScrollContainer minWidth={1000}>
        <Table striped style={{ whiteSpace: 'nowrap' }} data-testid="containers-table">
          <TableHead columns={['container', 'service', 'state', 'health', 'restarts', 'port', 'CPU', 'memory', 'network', 'image', '']} />
          <Table.Tbody>
            {tier.containers.map((c) => (
              <Table.Tr key={c.id}>
                <Table.Td>
                  <Tooltip
                    multiline
                    w={480}
                    label={
                      Object.entries(c.labels)
                        .map(([k, v]) => `${k}=${v}`)
                        .join('\n') || 'no labels'
                    }
                    style={{ whiteSpace: 'pre-wrap' }}
                  >
                    <Code>{c.name}</Code>
                  </Tooltip>
                </Table.Td>
                <Table.Td>
                  {c.group ?? '—'}
                  {c.slot !== null ? ` #${c.slot}` : ''}
                </Table.Td>
                <Table.Td>
                  <Badge color={c.running ? 'teal' : 'red'} variant="light">
                    {c.state}
                  </Badge>
                </Table.Td>
                <Table.Td>{c.health === 'none' ? '—' : c.health}</Table.Td>
                <Table.Td>{c.restarts}</Table.Td>
                <Table.Td>{c.port ?? '—'}</Table.Td>
                <Table.Td>
                  <LoadCell value={c.cpuPct} high={REPLICA_LOAD.cpuHighPct} />
                </Table.Td>
                <Table.Td>
                  <LoadCell value={c.memPct} high={REPLICA_LOAD.memHighPct} />
                  {c.memBytes !== null && (
                    <Text size="xs" c="dimmed">
                      {formatBytes(c.memBytes)}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  {c.netRxBps === null ? (
                    <Text c="dimmed" size="xs">
                      {c.running ? 'host network' : '—'}
                    </Text>
                  ) : (
                    <Text size="xs">
                      ↓ {formatBytes(c.netRxBps)}/s ↑ {formatBytes(c.netTxBps ?? 0)}/s
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  <Text size="xs">{c.image}</Text>
                </Table.Td>
                <Table.Td>
                  <Button size="compact-xs" variant="subtle" onClick={() => onLogs(c)} data-testid={`logs-${c.name}`}>
                    Logs
                  </Button>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Stack>
  )
}
