import { SegmentedControl, Text } from '@mantine/core'
import { useState } from 'react'
import type { HistorySource } from '../../../shared/history'

const RANGES = [
  { value: '900000', label: '15m' },
  { value: '3600000', label: '1h' },
  { value: '21600000', label: '6h' },
  { value: '86400000', label: '24h' },
  { value: '604800000', label: '7d' },
  { value: '2592000000', label: '30d' },
]

/** How far back a page's history charts reach (the app keeps 24 h at full resolution, 30 days in minutes). */
export function useHistoryRange(testId: string) {
  const [range, setRange] = useState('3600000')
  const control = <SegmentedControl size="xs" value={range} onChange={setRange} data={RANGES} data-testid={testId} />
  return { since: () => Date.now() - Number(range), range, control }
}

const clock = (ms: number) => new Date(ms).toLocaleString([], { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' })

/** Under a chart: where its history came from (the environment's Prometheus, then this app), or why Prometheus could not be read. */
export function HistorySourceNote({ source }: { source: HistorySource | undefined }) {
  if (!source?.prometheus) return null
  if (source.error)
    return (
      <Text size="xs" c="orange" data-testid="history-source">
        Prometheus could not be read ({source.error}); showing this app&apos;s own history
      </Text>
    )
  return (
    <Text size="xs" c="dimmed" data-testid="history-source">
      {source.prometheusUntil !== null
        ? `History from Prometheus (${source.prometheus}) up to ${clock(source.prometheusUntil)}, this app's own after`
        : `Prometheus (${source.prometheus}) has nothing in this range yet; showing this app's own history`}
    </Text>
  )
}
