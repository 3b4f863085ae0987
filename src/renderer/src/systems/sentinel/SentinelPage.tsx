import { Alert, Badge, Card, Group, Menu, Stack, Table, Text } from '@mantine/core'
import { useMemo } from 'react'
import { api } from '../../api'
import { useActionLauncher } from '../../components/ActionDialog'
import { usePaletteActions } from '../../palette/palette-actions'
import { useEndpointPicker } from '../../components/EndpointPicker'
import { usePolling } from '../../hooks/usePolling'
import { StatusBadge } from '../../components/StatusBadge'
import { SystemPageHeader } from '../../components/SystemPageHeader'
import { TableHead } from '../../components/TableHead'

const POLL_MS = 2000

/** Redis Sentinel: each monitored master with its replicas, the sentinels, CKQUORUM, and SENTINEL FAILOVER. */
export function SentinelPage() {
  const { choice, picker, readOnly, empty } = useEndpointPicker('redis-sentinel')
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
    <Stack>
      <SystemPageHeader
        readOnly={readOnly}
        title="Redis Sentinel"
        status={topology?.status}
        picker={picker}
        target={choice}
        actionsTestId="sentinel-actions"
        actions={topology?.masters.map((m) => (
          <Menu.Item key={m.name} onClick={() => act({ kind: 'redis.sentinel-failover', master: m.name })} data-testid={`sentinel-failover-${m.name}`}>
            SENTINEL FAILOVER {m.name}
          </Menu.Item>
        ))}
      />
      {empty && <Alert color="blue">No Redis Sentinel endpoint in any environment. Add one under Environments.</Alert>}
      {error && <Alert color="red">{error}</Alert>}
      {topology && (
        <>
          <Text size="sm" c={topology.status === 'ok' ? 'dimmed' : undefined} data-testid="sentinel-reason">
            {topology.reason} · checked in {topology.durationMs} ms
          </Text>
          {topology.findings.map((f, i) => (
            <Alert key={i} color={f.severity === 'critical' ? 'red' : f.severity === 'warn' ? 'yellow' : 'blue'} p="xs">
              {f.message}
            </Alert>
          ))}
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
              <Table>
                <TableHead columns={['Replica', 'Link', 'Lag', 'Priority', 'Flags']} />
                <Table.Tbody>
                  {m.replicas.map((r) => (
                    <Table.Tr key={r.addr}>
                      <Table.Td ff="monospace">{r.addr}</Table.Td>
                      <Table.Td>{r.linkStatus}</Table.Td>
                      <Table.Td>{r.lagBytes == null ? '—' : `${r.lagBytes} B`}</Table.Td>
                      <Table.Td>{r.priority}</Table.Td>
                      <Table.Td>{r.flags.filter((f) => f !== 'slave').join(', ')}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
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
      {dialog}
    </Stack>
  )
}

export default SentinelPage
