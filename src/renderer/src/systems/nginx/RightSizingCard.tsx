import { Badge, Card, Text, Title } from '@mantine/core'
import type { RightSizing } from '../../../../shared/systems/nginx'
import { percentOrDash } from '../../../../shared/domain/units'
import { api } from '../../api'
import { DataTable, type Column } from '../../components/DataTable'
import { usePolling } from '../../hooks/usePolling'

const ADVICE_COLOR: Record<RightSizing['advice'], string> = { fewer: 'blue', more: 'orange', keep: 'teal', wait: 'gray' }

const COLUMNS: Column<RightSizing>[] = [
  { title: 'service', cell: (r) => r.service },
  {
    title: 'advice',
    cell: (r) => (
      <Badge color={ADVICE_COLOR[r.advice]} variant="light">
        {r.advice === 'fewer' || r.advice === 'more' ? `${r.advice}: ${r.replicas}` : r.advice}
      </Badge>
    ),
  },
  { title: 'CPU avg / p95', cell: (r) => `${percentOrDash(r.cpuAvg)} / ${percentOrDash(r.cpuP95)}` },
  { title: 'memory avg / p95', cell: (r) => `${percentOrDash(r.memAvg)} / ${percentOrDash(r.memP95)}` },
  { title: 'replicas avg', cell: (r) => (r.replicasAvg === null ? '—' : r.replicasAvg.toFixed(1)) },
  { title: 'history', cell: (r) => `${r.coveredHours} h` },
]

/** Each service's last 7 days per replica, and whether it wants fewer or more replicas. */
export function RightSizingCard({ environment, endpointId }: { environment: string; endpointId: string }) {
  const sizes = usePolling(`${environment}/${endpointId}`, () => api.request('app:rightsize', { name: environment, endpointId }), 60_000)
  return (
    <Card withBorder data-testid="rightsizing">
      <Title order={5} mb="xs">
        Right-sizing (last 7 days)
      </Title>
      {sizes.data?.length ? (
        <>
          <DataTable rows={sizes.data} columns={COLUMNS} rowKey={(r) => r.service} />
          {sizes.data.map((r) => (
            <Text key={r.service} size="xs" c="dimmed" mt={4}>
              {r.service}: {r.reason}
            </Text>
          ))}
        </>
      ) : (
        <Text c="dimmed">{sizes.error ?? 'No service history yet: it gathers while the app tier is watched.'}</Text>
      )}
    </Card>
  )
}
