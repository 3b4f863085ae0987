import { SegmentedControl } from '@mantine/core'
import { useState } from 'react'

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
  return { since: () => Date.now() - Number(range), control }
}
