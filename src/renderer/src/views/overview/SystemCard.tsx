import { Alert, Button, Card, Group, Stack, Text, Tooltip } from '@mantine/core'
import { useState } from 'react'
import type { RequestInput } from '../../../../shared/contract'
import type { NodeHealth, SystemHealth } from '../../../../shared/health'
import { ActionDialog } from '../../components/ActionDialog'
import { Sparkline } from '../../components/EChart'
import { STATUS_COLOR, StatusBadge } from '../../components/StatusBadge'

const SYSTEM_LABEL: Record<SystemHealth['system'], string> = {
  ssh: 'SSH',
  redis: 'Redis Cluster',
  sentinel: 'Redis Sentinel',
  mongo: 'MongoDB',
  postgres: 'PostgreSQL',
  nginx: 'nginx',
  docker: 'Docker',
}

/** Why a node failed, in the words a DBA acts on. */
const ERROR_HINT: Partial<Record<NonNullable<NodeHealth['error']>['code'], string>> = {
  refused: 'connection refused',
  timeout: 'timeout',
  auth: 'auth failed',
  'hostkey-changed': 'HOST KEY CHANGED',
  dns: 'unknown host',
  tls: 'TLS error',
  closed: 'connection closed',
  protocol: 'bad reply',
}

function NodeRow({ node, onRestart }: { node: NodeHealth; onRestart?: () => void }) {
  return (
    <Group gap={8} wrap="nowrap" align="flex-start" data-testid="node-row" data-status={node.status}>
      <Text span c={STATUS_COLOR[node.status]} fw={700} style={{ lineHeight: 1.4 }}>
        ●
      </Text>
      <Stack gap={0} style={{ minWidth: 0 }}>
        <Group gap={6}>
          <Text size="sm" ff="monospace">
            {node.label}
          </Text>
          {node.role && (
            <Text size="xs" c="dimmed">
              {node.role}
            </Text>
          )}
        </Group>
        <Text size="xs" c={node.error ? STATUS_COLOR[node.status] : 'dimmed'} style={{ wordBreak: 'break-word' }}>
          {node.error ? `${ERROR_HINT[node.error.code] ?? node.error.code}: ${node.error.message}` : node.detail}
        </Text>
      </Stack>
      {onRestart && (
        <Button size="compact-xs" variant="subtle" ml="auto" onClick={onRestart} data-testid={`restart-${node.label}`}>
          restart
        </Button>
      )}
    </Group>
  )
}

export function SystemCard({ environment, system, latency }: { environment: string; system: SystemHealth; latency: number[] }) {
  const [action, setAction] = useState<RequestInput<'action:plan'>>()
  const restart = (n: NodeHealth) =>
    system.system === 'docker' && !n.error
      ? () => setAction({ kind: 'docker.restart', environment, endpointId: system.endpointId, container: n.label })
      : undefined
  return (
    <Card withBorder padding="md" data-testid={`system-${system.system}`} data-status={system.status}>
      <Group justify="space-between" mb={6} wrap="nowrap">
        <Stack gap={0}>
          <Text fw={600}>{SYSTEM_LABEL[system.system]}</Text>
          <Text size="xs" c="dimmed">
            {system.name} · {system.durationMs} ms
          </Text>
        </Stack>
        <StatusBadge status={system.status} />
      </Group>
      <Tooltip label={system.reason} multiline w={360} openDelay={400}>
        <Text size="sm" lineClamp={2} mb="xs" data-testid="system-reason">
          {system.reason}
        </Text>
      </Tooltip>
      <Stack gap={6}>
        {system.nodes.map((n) => (
          <NodeRow key={n.id} node={n} onRestart={restart(n)} />
        ))}
      </Stack>
      {latency.length > 1 && (
        <Stack gap={0} mt="xs">
          <Text size="xs" c="dimmed">
            check latency (ms), last {latency.length}
          </Text>
          <Sparkline values={latency} color="#748ffc" unit=" ms" />
        </Stack>
      )}
      {system.notices.map((n) => (
        <Alert key={n} color="blue" variant="light" mt="xs" p="xs">
          <Text size="xs" style={{ wordBreak: 'break-all' }}>
            {n}
          </Text>
        </Alert>
      ))}
      <ActionDialog request={action} onClose={() => setAction(undefined)} />
    </Card>
  )
}
