import { Alert, Anchor, Button, Card, Group, Stack, Text, Tooltip } from '@mantine/core'
import { lazy, Suspense } from 'react'
import type { NodeHealth, SystemHealth } from '../../../../shared/health'
import { useActionLauncher } from '../../components/ActionDialog'
import { STATUS_COLOR, StatusBadge } from '../../components/StatusBadge'
import { TrustHostKey } from '../../components/TrustHostKey'
import { systemViews } from '../../systems'

// ECharts loads after the cards show their first data, not before.
const Sparkline = lazy(() => import('../../components/EChart').then((m) => ({ default: m.Sparkline })))

const SYSTEM_LABEL: Record<SystemHealth['system'], string> = {
  ssh: 'SSH',
  redis: 'Redis Cluster',
  sentinel: 'Redis Sentinel',
  mongo: 'MongoDB',
  postgres: 'PostgreSQL',
  pgbouncer: 'pgbouncer',
  nginx: 'nginx',
  docker: 'Docker',
}

/** Why a node failed, in the words a DBA acts on. */
const ERROR_HINT: Partial<Record<NonNullable<NodeHealth['error']>['code'], string>> = {
  refused: 'connection refused',
  timeout: 'timeout',
  auth: 'auth failed',
  'hostkey-unknown': 'UNKNOWN HOST KEY',
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
        {node.error?.code === 'hostkey-unknown' && node.error.hostKey && <TrustHostKey hostKey={node.error.hostKey} />}
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
  const { act, dialog } = useActionLauncher({ environment, endpointId: system.endpointId })
  const restart = (n: NodeHealth) => (system.system === 'docker' && !n.error ? () => act({ kind: 'docker.restart', container: n.label }) : undefined)
  const view = systemViews.find((v) => v.system === system.system)
  return (
    <Card withBorder padding="md" data-testid={`system-${system.system}`} data-status={system.status}>
      <Group justify="space-between" mb={6} wrap="nowrap">
        <Stack gap={0}>
          <Text fw={600}>{SYSTEM_LABEL[system.system]}</Text>
          <Text size="xs" c="dimmed">
            {system.name} · {system.durationMs} ms
          </Text>
        </Stack>
        <Group gap={6} wrap="nowrap">
          {view && (
            <Anchor size="xs" href={`#/${view.id}/${environment}/${system.endpointId}`} data-testid={`open-${system.endpointId}`}>
              open
            </Anchor>
          )}
          <StatusBadge status={system.status} />
        </Group>
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
          <Suspense fallback={<div style={{ height: 36 }} />}>
            <Sparkline values={latency} color="#748ffc" unit=" ms" />
          </Suspense>
        </Stack>
      )}
      {system.notices.map((n) => (
        <Alert key={n} color="blue" variant="light" mt="xs" p="xs">
          <Text size="xs" style={{ wordBreak: 'break-all' }}>
            {n}
          </Text>
        </Alert>
      ))}
      {dialog}
    </Card>
  )
}
