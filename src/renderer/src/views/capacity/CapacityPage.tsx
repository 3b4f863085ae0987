import { Alert, Badge, Button, Card, Group, Select, SimpleGrid, Stack, Text, Title } from '@mantine/core'
import { useState } from 'react'
import type { CapacityResource } from '../../../../shared/capacity'
import { capacityLabel, formatAmount, forecastWords, perDayText, standingText, usedText } from '../../../../shared/domain/capacity-text'
import { api } from '../../api'
import { useActionLauncher, type ActionDraft } from '../../components/ActionDialog'
import { DataTable, type Column } from '../../components/DataTable'
import { StatusBadge } from '../../components/StatusBadge'
import { usePolling } from '../../hooks/usePolling'
import { useRequest } from '../../hooks/useRequest'
import { linkedNode, navigate, parseHash } from '../../routes'
import { CapacityChart } from './CapacityChart'

/** The forecast that counts: the one whose seconds left the resource carries (the sooner of 7 and 30 days). */
const counting = (r: CapacityResource) => [r.forecast7d, r.forecast30d].find((f) => f.kind === 'runs-out' && f.secondsLeft === r.secondsLeft) ?? r.forecast7d
const needsAttention = (r: CapacityResource) => r.status === 'critical' || r.status === 'warn'
/** A link names a resource as the alert does: "<kind> <subject>". */
const linkName = (r: CapacityResource) => `${r.gauge.kind} ${r.gauge.subject}`

function ResourceCard({ r, environment, readOnly }: { r: CapacityResource; environment: string; readOnly: boolean }) {
  const { act, dialog } = useActionLauncher({ environment, endpointId: r.endpointId })
  const f = counting(r)
  return (
    <Card withBorder data-testid={`capacity-${r.key}`} data-status={r.status}>
      <Group justify="space-between" wrap="nowrap" align="flex-start">
        <Stack gap={2} style={{ minWidth: 0 }}>
          <Text fw={600} data-testid="capacity-summary">
            {r.summary}
          </Text>
          <Text size="xs" c="dimmed">
            {r.endpointName} · {standingText(r.gauge)}
            {f.kind === 'runs-out' && ` · ${perDayText(f.perDay, r.gauge.unit)}`}
            {f.kind === 'runs-out' && f.restartedAt !== undefined && ` · fit restarted after a step at ${new Date(f.restartedAt).toLocaleString()}`}
            {f.kind === 'runs-out' && f.seasonal && ' · daily cycle taken out'}
          </Text>
        </Stack>
        <div style={{ flexShrink: 0 }}>
          <StatusBadge status={r.status} />
        </div>
      </Group>
      <CapacityChart resource={r} />
      <Group justify="space-between" mt={4} wrap="nowrap">
        <Text size="sm" c="dimmed">
          What to do: {r.remedy}
        </Text>
        {r.gauge.fix && !readOnly && (
          <Button
            size="xs"
            color="orange"
            onClick={() => act(r.gauge.fix!.request as ActionDraft)}
            data-testid={`capacity-fix-${r.key}`}
            style={{ flexShrink: 0 }}
          >
            {r.gauge.fix.label}
          </Button>
        )}
      </Group>
      {dialog}
    </Card>
  )
}

const COLUMNS: Column<CapacityResource>[] = [
  { title: 'Resource', cell: (r) => capacityLabel(r.gauge), mono: true },
  { title: 'Endpoint', cell: (r) => r.endpointName },
  { title: 'Now', cell: (r) => formatAmount(r.gauge.value, r.gauge.unit) },
  { title: 'Limit', cell: (r) => r.gauge.limitLabel },
  { title: 'Used', cell: (r) => usedText(r.gauge) },
  { title: 'Runs out', cell: (r) => forecastWords(counting(r)) },
  { title: '', cell: (r) => <StatusBadge status={r.status} size="xs" /> },
]

/**
 * What runs out in an environment and when: memory, retained WAL, connections, transaction IDs.
 * What runs out within 7 days comes first as cards with its history, limit and forecast cone, and
 * its fix; every resource is in the table below, a click shows its chart.
 */
export function CapacityPage() {
  const envs = useRequest('env:list', {})
  const route = parseHash(location.hash)
  const names = envs.data?.map((v) => v.environment.name) ?? []
  const name = route.environment && names.includes(route.environment) ? route.environment : names[0]
  const readOnly = envs.data?.find((v) => v.environment.name === name)?.environment.readOnly ?? false
  const polled = usePolling(name, () => api.request('capacity:env', { name: name! }), 15_000)
  const [picked, setPicked] = useState<string | undefined>(linkedNode)
  const report = polled.data
  const urgent = report?.resources.filter(needsAttention) ?? []
  const shown = report?.resources.find((r) => linkName(r) === picked || r.key === picked)
  const counts = { critical: urgent.filter((r) => r.status === 'critical').length, warn: urgent.filter((r) => r.status === 'warn').length }
  return (
    <Stack>
      <Group justify="space-between">
        <Group gap="xs">
          <Title order={2}>Capacity</Title>
          {report && (
            <Text c="dimmed" size="sm" data-testid="capacity-counts">
              {report.resources.length} resources · {counts.critical} run out within 2 days · {counts.warn} within 7
            </Text>
          )}
        </Group>
        <Select data={names} value={name ?? null} onChange={(v) => v && navigate('capacity', v)} allowDeselect={false} data-testid="capacity-env" />
      </Group>
      {polled.error && <Alert color="red">{polled.error}</Alert>}
      {report?.unread.map((u) => (
        <Alert key={u.endpointName} color="orange" p="xs">
          {u.endpointName} could not be read: {u.message} — its resources are missing here, not fine.
        </Alert>
      ))}
      {report && urgent.length === 0 && (
        <Badge color="teal" variant="light" size="lg" data-testid="capacity-none-urgent">
          nothing runs out within 7 days
        </Badge>
      )}
      {urgent.length > 0 && (
        <SimpleGrid cols={{ base: 1, xl: 2 }}>
          {urgent.map((r) => (
            <ResourceCard key={r.key} r={r} environment={name!} readOnly={readOnly} />
          ))}
        </SimpleGrid>
      )}
      {shown && !needsAttention(shown) && <ResourceCard r={shown} environment={name!} readOnly={readOnly} />}
      {report && report.resources.length > 0 && (
        <Card withBorder>
          <Text fw={600} mb="xs">
            All resources, soonest to run out first
          </Text>
          <DataTable
            dense
            nowrap
            minWidth={900}
            testId="capacity-table"
            rows={report.resources}
            columns={COLUMNS}
            rowKey={(r) => r.key}
            focused={(r) => r.key === shown?.key}
            rowAttributes={(r) => ({ 'data-status': r.status, 'data-key': r.key, onClick: () => setPicked(r.key) })}
          />
        </Card>
      )}
      {report && report.resources.length === 0 && <Text c="dimmed">Nothing in {name} reports a resource that can run out.</Text>}
    </Stack>
  )
}

export default CapacityPage
