import { Card, Group, Text, Title } from '@mantine/core'
import type { AppTier } from '../../../../shared/systems/nginx'
import { api } from '../../api'
import { usePolling } from '../../hooks/usePolling'
import { ResponseTimeChart } from './AppTierCharts'

const POLL_MS = 5000

/** p50 and p95 per upstream now and over the chosen window, from nginx's own access log. */
export function ResponseTimeCard({ tier, since }: { tier: AppTier; since: () => number }) {
  const history = usePolling(
    `${tier.environment}/${tier.endpointId}`,
    () => api.request('app:latency-history', { name: tier.environment, endpointId: tier.endpointId, sinceMs: since() }),
    POLL_MS,
  )
  return (
    <Card withBorder data-testid="response-time">
      <Group justify="space-between">
        <Title order={5}>Response time</Title>
        <Text size="sm" c="dimmed">
          {tier.latency.map((l) => `${l.upstream} p95 ${Math.round(l.p95Ms)} ms`).join(' · ') || 'no requests in the last minute'}
        </Text>
      </Group>
      {tier.latencyLog.note ? (
        <Text size="sm" c="dimmed" mt="xs">
          {tier.latencyLog.note}
        </Text>
      ) : (
        <ResponseTimeChart series={history.data?.series ?? []} />
      )}
    </Card>
  )
}
