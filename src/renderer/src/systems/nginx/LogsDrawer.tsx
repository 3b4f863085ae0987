import { Alert, Code, Drawer, ScrollArea } from '@mantine/core'
import { useRef } from 'react'
import type { DockerLogLine, Replica } from '../../../../shared/systems/docker'
import { api } from '../../api'
import { usePolling } from '../../hooks/usePolling'

const LOG_POLL_MS = 2000

/** A container's log that follows: the last 200 lines, then what came since every two seconds (keyed by container, so each starts empty). */
export function LogsDrawer({ environment, replica, onClose }: { environment: string; replica?: Replica; onClose: () => void }) {
  const seen = useRef<{ lines: DockerLogLine[]; since?: string }>({ lines: [] })
  const { data: lines = [], error } = usePolling(
    replica && `${replica.endpointId}/${replica.id}`,
    async () => {
      const r = await api.request('docker:logs', {
        name: environment,
        endpointId: replica!.endpointId,
        container: replica!.id.slice(0, 12),
        since: seen.current.since,
        tail: 200,
      })
      if (r.lines.length) seen.current = { lines: [...seen.current.lines, ...r.lines].slice(-2000), since: r.lines.at(-1)!.at }
      return seen.current.lines
    },
    LOG_POLL_MS,
  )
  return (
    <Drawer opened={!!replica} onClose={onClose} position="right" size="xl" title={replica ? `Logs of ${replica.name} (following)` : ''}>
      {error && <Alert color="red">{error}</Alert>}
      <ScrollArea h="85vh" data-testid="logs-view">
        <Code block>
          {lines.length === 0 ? 'no log lines yet' : lines.map((l) => `${l.at.slice(11, 23)} ${l.stream === 'stderr' ? 'ERR ' : ''}${l.text}`).join('\n')}
        </Code>
      </ScrollArea>
    </Drawer>
  )
}
