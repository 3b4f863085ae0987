import { Badge, Button, Card, Code, ColorSwatch, Group, NumberInput, Table, Text, Title, Tooltip } from '@mantine/core'
import { useState } from 'react'
import type { Replica } from '../../../../shared/systems/docker'
import type { AppTier, UpstreamView } from '../../../../shared/systems/nginx'
import { type ActionDraft } from '../../components/ActionDialog'
import { RowActions } from '../../components/RowActions'
import { STATUS_COLOR } from '../../components/StatusBadge'
import { REPLICA_LOAD } from '../../../../shared/domain/thresholds'
import { ago } from './app-format'
import { LoadCell, ProbeCell } from './cells'
import { groupOf } from './upstream-group'

export function UpstreamCard({
  tier,
  upstream: u,
  act,
  readOnly,
  onLogs,
}: {
  tier: AppTier
  upstream: UpstreamView
  act: (d: ActionDraft) => void
  readOnly: boolean
  onLogs: (r: Replica) => void
}) {
  const group = groupOf(tier, u)
  const running = group?.replicas.filter((r) => r.running).length ?? 0
  // What was typed, for the replica count it was typed against: a new count starts the input over.
  const [draft, setDraft] = useState<{ from: number; value: number | string }>()
  const replicas = draft?.from === running ? draft.value : running
  const setReplicas = (value: number | string) => setDraft({ from: running, value })
  const target = typeof replicas === 'number' ? replicas : Number(replicas)
  return (
    <Card withBorder data-testid={`upstream-${u.name}`}>
      <Group justify="space-between" mb="xs">
        <Group gap="xs">
          <Title order={5}>upstream {u.name}</Title>
          <Badge variant="light">{u.method}</Badge>
          {u.keepalive !== null && <Badge variant="outline">keepalive {u.keepalive}</Badge>}
          <Text size="xs" c="dimmed">
            {u.file}:{u.line}
            {u.front.length > 0 && ` · front ${u.front.join(', ')}`}
          </Text>
        </Group>
        {group ? (
          <Group gap="xs">
            <Badge color={group.running < group.desired ? 'yellow' : 'teal'} variant="light" data-testid={`group-${u.name}`}>
              {group.kind} {group.name} · {group.running}/{group.desired}
              {group.update ? ` · ${group.update}` : ''}
            </Badge>
            {!readOnly && (
              <>
                <Tooltip label={group.notScalable ?? `new replicas listen on ${group.portRule ?? '?'}`}>
                  <NumberInput
                    size="xs"
                    w={80}
                    min={1}
                    max={50}
                    value={replicas}
                    onChange={setReplicas}
                    disabled={!!group.notScalable}
                    data-testid={`scale-input-${u.name}`}
                  />
                </Tooltip>
                <Button
                  size="xs"
                  disabled={!!group.notScalable || !Number.isInteger(target) || target < 1 || target === running}
                  onClick={() => act({ kind: 'app.scale', upstream: u.name, replicas: target })}
                  data-testid={`scale-${u.name}`}
                >
                  Scale
                </Button>
                <Button size="xs" variant="default" disabled={!!group.notRestartable} onClick={() => act({ kind: 'app.restart', upstream: u.name })}>
                  Rolling restart
                </Button>
              </>
            )}
          </Group>
        ) : (
          <Text size="xs" c="dimmed">
            no Docker service matched to its backends
          </Text>
        )}
      </Group>
      <Table.ScrollContainer minWidth={760}>
        <Table striped style={{ whiteSpace: 'nowrap' }} data-testid={`backends-${u.name}`}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>backend</Table.Th>
              <Table.Th>in nginx</Table.Th>
              <Table.Th>probe</Table.Th>
              <Table.Th>errors, 15 min</Table.Th>
              <Table.Th>served by</Table.Th>
              <Table.Th>CPU</Table.Th>
              <Table.Th>memory</Table.Th>
              <Table.Th>
                <Tooltip label="weight / max_fails / fail_timeout in the upstream block">
                  <span>weight · fails · timeout</span>
                </Tooltip>
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {u.backends.map((b) => (
              <Table.Tr key={b.address} data-testid={`backend-${b.address}`}>
                <Table.Td>
                  <Group gap={6} wrap="nowrap">
                    {/* the row's actions first: they are never the part of a wide table that gets cut */}
                    {!readOnly && (
                      <RowActions
                        subject={b.address}
                        testId={`actions-${b.address}`}
                        actions={[
                          {
                            label: b.down ? `Return ${b.address} to service` : `Drain ${b.address} (mark it down)`,
                            color: b.down ? 'teal' : 'yellow',
                            onClick: () => act({ kind: 'app.drain', upstream: u.name, server: b.address, down: !b.down }),
                            testId: `drain-${b.address}`,
                          },
                        ]}
                      />
                    )}
                    <ColorSwatch color={`var(--mantine-color-${STATUS_COLOR[b.health]}-6)`} size={10} withShadow={false} data-status={b.health} />
                    <Code>{b.address}</Code>
                  </Group>
                </Table.Td>
                <Table.Td>
                  <Text c={b.down ? 'yellow' : b.backup ? 'dimmed' : 'teal'} fw={500}>
                    {b.down ? 'down' : b.backup ? 'backup' : 'serving'}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <ProbeCell b={b} />
                </Table.Td>
                <Table.Td>
                  {b.failures === 0 ? (
                    '0'
                  ) : (
                    <Tooltip label={b.lastFailure?.message ?? ''} multiline w={420}>
                      <Text c="red">
                        {b.failures} (last {b.lastFailure ? ago(b.lastFailure.at, tier.checkedAt) : '?'})
                      </Text>
                    </Tooltip>
                  )}
                </Table.Td>
                <Table.Td>
                  {b.replica ? (
                    <Button variant="subtle" size="compact-xs" onClick={() => onLogs(b.replica!)}>
                      {b.replica.name}
                      {b.replica.health !== 'none' ? ` (${b.replica.health})` : ''}
                    </Button>
                  ) : (
                    <Text c="dimmed">—</Text>
                  )}
                </Table.Td>
                <Table.Td>
                  <LoadCell value={b.replica?.cpuPct ?? null} high={REPLICA_LOAD.cpuHighPct} />
                </Table.Td>
                <Table.Td>
                  <LoadCell value={b.replica?.memPct ?? null} high={REPLICA_LOAD.memHighPct} />
                </Table.Td>
                <Table.Td>
                  <Text size="xs">
                    {b.weight} · {b.maxFails} · {b.failTimeout}
                    {b.maxConns !== null ? ` · max_conns ${b.maxConns}` : ''}
                  </Text>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Card>
  )
}
