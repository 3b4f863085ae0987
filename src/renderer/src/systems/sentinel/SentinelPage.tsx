import { Badge, Card, Group, Menu, Stack, Text } from '@mantine/core'
import { useMemo } from 'react'
import { api } from '../../api'
import { useActionLauncher } from '../../components/ActionDialog'
import { usePaletteActions } from '../../palette/palette-actions'
import { useEndpointPicker } from '../../components/EndpointPicker'
import { usePolling } from '../../hooks/usePolling'
import { StatusBadge } from '../../components/StatusBadge'
import { ReasonLine, SystemPage } from '../../components/SystemPage'
import { severityFinding } from '../../components/FindingAlerts'
import { DataTable, type Column } from '../../components/DataTable'
import type { SentinelMaster } from '../../../../shared/systems/sentinel'
import { bytesOrDash } from '../../../../shared/domain/units'
import { linkedNode } from '../../routes'

const REPLICA_COLUMNS: Column<SentinelMaster['replicas'][number]>[] = [
  { title: 'Replica', mono: true, cell: (r) => r.addr },
  { title: 'Link', cell: (r) => r.linkStatus },
  { title: 'Lag', cell: (r) => bytesOrDash(r.lagBytes) },
  { title: 'Priority', cell: (r) => r.priority },
  { title: 'Flags', cell: (r) => r.flags.filter((f) => f !== 'slave').join(', ') },
]

const POLL_MS = 2000

/** Redis Sentinel: each monitored master with its replicas, the sentinels, CKQUORUM, and SENTINEL FAILOVER. */
export function SentinelPage() {
  const picked = useEndpointPicker('redis-sentinel')
  const { choice } = picked
  const { act, dialog } = useActionLauncher(choice)

  const { data: topology, error } = usePolling(choice && `${choice.environment}/${choice.endpointId}`, () => api.request('sentinel:topology', choice!), POLL_MS)

  const paletteActions = useMemo(
    () =>
      (topology?.masters ?? []).map((m) => ({
        id: `sentinel-failover-${m.name}`,
        label: `SENTINEL FAILOVER ${m.name}`,
        description: `master ${m.addr}`,
        run: () => act({ kind: 'redis.sentinel-failover', master: m.name }),
      })),
    [topology, act],
  )
  usePaletteActions(paletteActions)

  return (
    <SystemPage
      title="Redis Sentinel"
      picked={picked}
      status={topology?.status}
      actionsTestId="sentinel-actions"
      actions={topology?.masters.map((m) => (
        <Menu.Item key={m.name} onClick={() => act({ kind: 'redis.sentinel-failover', master: m.name })} data-testid={`sentinel-failover-${m.name}`}>
          SENTINEL FAILOVER {m.name}
        </Menu.Item>
      ))}
      error={error}
      loaded={!!topology}
      reason={
        topology && (
          <ReasonLine ok={topology.status === 'ok'} testId="sentinel-reason">
            {topology.reason} · checked in {topology.durationMs} ms
          </ReasonLine>
        )
      }
      findings={topology?.findings.map(severityFinding)}
      findingsPrefix="sentinel"
      overlays={dialog}
    >
      {topology && (
        <>
          {topology.masters.map((m) => (
            <Card key={m.name} withBorder data-testid={`sentinel-master-${m.name}`}>
              <Group justify="space-between" mb="xs">
                <Group gap="xs">
                  <Text fw={600}>{m.name}</Text>
                  <Text ff="monospace" size="sm">
                    {m.addr}
                  </Text>
                  {m.flags
                    .filter((f) => f !== 'master')
                    .map((f) => (
                      <Badge key={f} color={/down|failover/.test(f) ? 'red' : 'gray'} size="sm">
                        {f}
                      </Badge>
                    ))}
                </Group>
                <Group gap="xs">
                  <Text size="sm">quorum {m.quorum}</Text>
                  <Badge color={m.ckquorum.ok ? 'teal' : 'red'} data-testid="ckquorum">
                    {m.ckquorum.ok ? 'CKQUORUM ok' : 'NO QUORUM'}
                  </Badge>
                </Group>
              </Group>
              <Text size="xs" c="dimmed" mb="xs">
                {m.ckquorum.message}
              </Text>
              <DataTable rows={m.replicas} columns={REPLICA_COLUMNS} rowKey={(r) => r.addr} focused={(r) => r.addr === linkedNode()} />
            </Card>
          ))}
          <Card withBorder>
            <Text fw={600} mb="xs">
              Sentinels
            </Text>
            <Stack gap={4}>
              {topology.sentinels.map((s) => (
                <Group key={s.addr} gap="xs">
                  <StatusBadge status={s.error ? 'critical' : 'ok'} size="xs" />
                  <Text ff="monospace" size="sm">
                    {s.addr}
                  </Text>
                  <Text size="xs" c={s.error ? 'red' : 'dimmed'}>
                    {s.error ? s.error.message : `monitors ${s.masters.join(', ') || 'nothing'}`}
                  </Text>
                </Group>
              ))}
            </Stack>
          </Card>
        </>
      )}
    </SystemPage>
  )
}

export default SentinelPage
