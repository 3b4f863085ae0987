import { Badge, Button, Card, Code, ColorSwatch, Group, NumberInput, Text, Title, Tooltip } from '@mantine/core'
import { useState } from 'react'
import type { Replica } from '../../../../shared/systems/docker'
import type { AppTier, UpstreamBackend, UpstreamView } from '../../../../shared/systems/nginx'
import { DataTable, type Column } from '../../components/DataTable'
import { type ActionDraft } from '../../components/ActionDialog'
import { RowActions } from '../../components/RowActions'
import { STATUS_COLOR } from '../../components/StatusBadge'
import { REPLICA_LOAD } from '../../../../shared/domain/thresholds'
import { formatElapsed } from '../../../../shared/domain/units'
import { LoadCell, ProbeCell } from './cells'
import { groupOf } from './upstream-group'
import { linkedNode } from '../../routes'

interface BackendContext {
  upstream: string
  checkedAt: number
  /** Absent in a read-only environment: no row actions. */
  act?: (d: ActionDraft) => void
  onLogs: (r: Replica) => void
}

function backendColumns({ upstream, checkedAt, act, onLogs }: BackendContext): Column<UpstreamBackend>[] {
  return [
    {
      title: 'backend',
      cell: (b) => (
        <Group gap={6} wrap="nowrap">
          {act && (
            <RowActions
              subject={b.address}
              testId={`actions-${b.address}`}
              actions={[
                {
                  label: b.down ? `Return ${b.address} to service` : `Drain ${b.address} (mark it down)`,
                  color: b.down ? 'teal' : 'yellow',
                  onClick: () => act({ kind: 'app.drain', upstream, server: b.address, down: !b.down }),
                  testId: `drain-${b.address}`,
                },
              ]}
            />
          )}
          <ColorSwatch color={`var(--mantine-color-${STATUS_COLOR[b.health]}-6)`} size={10} withShadow={false} data-status={b.health} />
          <Code>{b.address}</Code>
        </Group>
      ),
    },
    {
      title: 'in nginx',
      cell: (b) => (
        <Text c={b.down ? 'yellow' : b.backup ? 'dimmed' : 'teal'} fw={500}>
          {b.down ? 'down' : b.backup ? 'backup' : 'serving'}
        </Text>
      ),
    },
    { title: 'probe', cell: (b) => <ProbeCell b={b} /> },
    {
      title: 'errors, 15 min',
      cell: (b) =>
        b.failures === 0 ? (
          '0'
        ) : (
          <Tooltip label={b.lastFailure?.message ?? ''} multiline w={420}>
            <Text c="red">
              {b.failures} (last {b.lastFailure ? `${formatElapsed(b.lastFailure.at, checkedAt)} ago` : '?'})
            </Text>
          </Tooltip>
        ),
    },
    {
      title: 'served by',
      cell: (b) =>
        b.replica ? (
          <Button variant="subtle" size="compact-xs" onClick={() => onLogs(b.replica!)}>
            {b.replica.name}
            {b.replica.health !== 'none' ? ` (${b.replica.health})` : ''}
          </Button>
        ) : (
          <Text c="dimmed">—</Text>
        ),
    },
    { title: 'CPU', cell: (b) => <LoadCell value={b.replica?.cpuPct ?? null} high={REPLICA_LOAD.cpuHighPct} /> },
    { title: 'memory', cell: (b) => <LoadCell value={b.replica?.memPct ?? null} high={REPLICA_LOAD.memHighPct} /> },
    {
      title: (
        <Tooltip label="weight / max_fails / fail_timeout in the upstream block">
          <span>weight · fails · timeout</span>
        </Tooltip>
      ),
      cell: (b) => (
        <Text size="xs">
          {b.weight} · {b.maxFails} · {b.failTimeout}
          {b.maxConns !== null ? ` · max_conns ${b.maxConns}` : ''}
        </Text>
      ),
    },
  ]
}

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
      <DataTable
        striped
        nowrap
        minWidth={760}
        testId={`backends-${u.name}`}
        rows={u.backends}
        columns={backendColumns({ upstream: u.name, checkedAt: tier.checkedAt, act: readOnly ? undefined : act, onLogs })}
        rowKey={(b) => b.address}
        focused={(b) => [b.address, `${u.name} ${b.address}`].includes(linkedNode() ?? '')}
        rowAttributes={(b) => ({ 'data-testid': `backend-${b.address}` })}
      />
    </Card>
  )
}
