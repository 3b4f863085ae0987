import { Text } from '@mantine/core'
import type { UpstreamBackend } from '../../../../shared/systems/nginx'
import { percentOrDash } from '../../../../shared/domain/units'

export function LoadCell({ value, high }: { value: number | null; high: number }) {
  return <Text c={value !== null && value > high ? 'red' : undefined}>{percentOrDash(value)}</Text>
}

export function ProbeCell({ b }: { b: UpstreamBackend }) {
  if (b.probe.error) return <Text c="red">{b.probe.error}</Text>
  return (
    <Text c={b.health === 'ok' ? undefined : 'red'}>
      HTTP {b.probe.status} · {b.probe.latencyMs} ms
    </Text>
  )
}
