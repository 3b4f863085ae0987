import { Alert, Badge, Button, Card, Group, Select, SimpleGrid, Stack, Text, Title } from '@mantine/core'
import type { CapacityResource } from '../../../../shared/capacity'
import { formatAmount, formatLeft, formatLeftInterval } from '../../../../shared/domain/capacity-text'
import { api } from '../../api'
import { useActionLauncher, type ActionDraft } from '../../components/ActionDialog'
import { StatusBadge } from '../../components/StatusBadge'
import { usePolling } from '../../hooks/usePolling'
import { useRequest } from '../../hooks/useRequest'
import { linkedNode, navigate, parseHash } from '../../routes'
import { CapacityChart } from './CapacityChart'

/** The forecast that counts, said in one badge: "in 19 h", "no trend", "not enough history". */
function ForecastBadge({ r }: { r: CapacityResource }) {
  const f = [r.forecast7d, r.forecast30d].find((x) => x.kind === 'runs-out' && x.secondsLeft === r.secondsLeft) ?? r.forecast7d
  if (f.kind === 'runs-out')
    return (
      <Badge color={r.status === 'ok' ? 'gray' : r.status === 'warn' ? 'yellow' : 'red'} variant="light" data-testid="capacity-left">
        runs out in {formatLeft(f.secondsLeft)} ({formatLeftInterval(f.secondsLeftInterval)})
      </Badge>
    )
  if (f.kind === 'exhausted')
    return (
      <Badge color="red" data-testid="capacity-left">
        at its limit
      </Badge>
    )
  return (
    <Badge color="gray" variant="outline" data-testid="capacity-left">
      {f.kind === 'no-trend' ? 'no trend' : 'not enough history'}
    </Badge>
  )
}

function ResourceCard({ r, act, readOnly }: { r: CapacityResource; act: (d: ActionDraft) => void; readOnly: boolean }) {
  const focused = linkedNode() === `${r.gauge.kind} ${r.gauge.subject}`
  return (
    <Card
      withBorder
      data-testid={`capacity-${r.key}`}
      data-status={r.status}
      data-focused={focused || undefined}
      style={focused ? { borderColor: 'var(--mantine-primary-color-filled)', borderWidth: 2 } : undefined}
    >
      <Group justify="space-between" wrap="nowrap" align="flex-start">
        <Stack gap={2} style={{ minWidth: 0 }}>
          <Text fw={600} data-testid="capacity-summary">
            {r.summary}
          </Text>
          <Text size="xs" c="dimmed">
            {r.endpointName} · now {formatAmount(r.gauge.value, r.gauge.unit)} of {formatAmount(r.gauge.limit, r.gauge.unit)}
            {r.forecast7d.kind === 'runs-out' && ` · ${formatAmount(Math.abs(r.forecast7d.perDay), r.gauge.unit)} a day`}
            {r.forecast7d.kind === 'runs-out' &&
              r.forecast7d.restartedAt &&
              ` · fit restarted after a step at ${new Date(r.forecast7d.restartedAt).toLocaleString()}`}
          </Text>
        </Stack>
        <Group gap="xs" wrap="nowrap" style={{ flexShrink: 0 }}>
          <ForecastBadge r={r} />
          <StatusBadge status={r.status} />
        </Group>
      </Group>
      <CapacityChart resource={r} />
      {(r.gauge.fix ?? (r.status === 'warn' || r.status === 'critical')) && (
        <Group justify="space-between" mt={4} wrap="nowrap">
          <Text size="sm" c="dimmed">
            What to do: {r.remedy}
          </Text>
          {r.gauge.fix && !readOnly && (
            <Button size="xs" color="orange" onClick={() => act(r.gauge.fix!.request as ActionDraft)} data-testid={`capacity-fix-${r.key}`} style={{ flexShrink: 0 }}>
              {r.gauge.fix.label}
            </Button>
          )}
        </Group>
      )}
    </Card>
  )
}

/**
 * What runs out in an environment and when: memory, retained WAL, connections, transaction IDs,
 * each with its history, its limit and the forecast cone, soonest first; a fix where there is one.
 */
export function CapacityPage() {
  const envs = useRequest('env:list', {})
  const route = parseHash(location.hash)
  const names = envs.data?.map((v) => v.environment.name) ?? []
  const name = route.environment && names.includes(route.environment) ? route.environment : names[0]
  const readOnly = envs.data?.find((v) => v.environment.name === name)?.environment.readOnly ?? false
  const polled = usePolling(name, () => api.request('capacity:env', { name: name! }), 15_000)
  const report = polled.data
  const counts = { critical: 0, warn: 0 }
  for (const r of report?.resources ?? []) if (r.status === 'critical' || r.status === 'warn') counts[r.status]++
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
      {report && report.resources.length === 0 && <Text c="dimmed">Nothing in {name} reports a resource that can run out.</Text>}
      <SimpleGrid cols={{ base: 1, xl: 2 }}>
        {report?.resources.map((r) => (
          <EndpointResource key={r.key} r={r} environment={name!} readOnly={readOnly} />
        ))}
      </SimpleGrid>
    </Stack>
  )
}

/** A resource with its own action dialog: a fix acts on the resource's endpoint. */
function EndpointResource({ r, environment, readOnly }: { r: CapacityResource; environment: string; readOnly: boolean }) {
  const { act, dialog } = useActionLauncher({ environment, endpointId: r.endpointId })
  return (
    <>
      <ResourceCard r={r} act={act} readOnly={readOnly} />
      {dialog}
    </>
  )
}

export default CapacityPage
