import { Card, Group, Text } from '@mantine/core'
import { memo, useRef, useState } from 'react'
import type { RedisTopology } from '../../../../shared/systems/redis'
import { api } from '../../api'
import type { EndpointChoice } from '../../components/EndpointPicker'
import { SlotMap, type SlotHover } from './SlotMap'

interface Props {
  topology: RedisTopology
  choice: EndpointChoice | undefined
  colorOf: (masterId: string) => string
  addr: (id: string | null) => string
}

const slotsOf = (p: Props) => JSON.stringify([p.topology.slots, p.topology.masters.map((m) => m.id)])

/** The slot map with what the pointer is on (owner, keys in that slot, migration): hovering repaints this card alone, polls only when slots move. */
export const SlotMapCard = memo(
  function SlotMapCard({ topology, choice, colorOf, addr }: Props) {
    const [hover, setHover] = useState<SlotHover & { keys?: number | null }>()
    const timer = useRef<ReturnType<typeof setTimeout>>(undefined)
    const onHover = (h: SlotHover) => {
      setHover(h)
      clearTimeout(timer.current)
      if (!choice) return
      timer.current = setTimeout(() => {
        api.request('redis:slot-keys', { ...choice, start: h.slot, end: h.slot }).then(
          (r) => setHover((cur) => (cur?.slot === h.slot ? { ...cur, keys: r.slots[0]?.keys ?? null } : cur)),
          () => undefined,
        )
      }, 250)
    }
    return (
      <Card withBorder>
        <Group justify="space-between" mb={4}>
          <Text fw={600}>Slot map (16384 slots)</Text>
          <Text size="xs" c="dimmed" data-testid="slot-hover">
            {hover
              ? `slot ${hover.slot} · ${addr(hover.owner)}${hover.keys != null ? ` · ${hover.keys} keys` : ''}${hover.migratingTo ? ` · migrating to ${addr(hover.migratingTo)}` : ''}${hover.importingFrom ? ` · importing from ${addr(hover.importingFrom)}` : ''}`
              : 'hover a slot'}
          </Text>
        </Group>
        <SlotMap topology={topology} colorOf={colorOf} onHover={onHover} />
      </Card>
    )
  },
  (a, b) => a.choice === b.choice && a.colorOf === b.colorOf && a.addr === b.addr && slotsOf(a) === slotsOf(b),
)
