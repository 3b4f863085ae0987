import { Button, Card, Code, Group, NumberInput, Stack, Text, TextInput } from '@mantine/core'
import { useState } from 'react'
import type { Endpoint } from '../../../../shared/inventory'
import type { PgTopology } from '../../../../shared/systems/postgres'
import type { ActionDraft } from '../../components/ActionDialog'

/** A new streaming replica cloned from the primary over SSH (not offered where Patroni manages the cluster). */
export function AddReplicaTab({
  topology,
  endpoint,
  act,
  onError,
}: {
  topology: PgTopology
  endpoint?: Endpoint
  act: (d: ActionDraft) => void
  onError: (message: string) => void
}) {
  const [replica, setReplica] = useState({ name: '', port: 5432, dataDir: '' })
  const plan = () => {
    const primary = topology.nodes.find((n) => n.name === topology.primary)
    const sshHostId = endpoint?.kind === 'postgres' ? endpoint.nodes.find((n) => n.name === topology.primary)?.sshHostId : undefined
    if (!primary || !sshHostId) {
      onError('the primary has no SSH host configured: edit the environment to set "Servers run on SSH host"')
      return
    }
    act({ kind: 'pg.add-replica', node: { name: replica.name, host: primary.host, port: replica.port, dataDir: replica.dataDir, sshHostId } })
  }
  return (
    <Card withBorder maw={720}>
      <Stack>
        <Text size="sm">
          Clones the primary with <Code>pg_basebackup -R</Code> and a replication slot over SSH on the primary&apos;s host, starts it and verifies it streams.
        </Text>
        <Group grow>
          <TextInput label="Name" placeholder="pg4" value={replica.name} onChange={(e) => setReplica({ ...replica, name: e.currentTarget.value })} />
          <NumberInput label="Port" value={replica.port} onChange={(v) => setReplica({ ...replica, port: Number(v) })} />
        </Group>
        <TextInput
          label="Data directory"
          placeholder="/var/lib/postgresql/16/pg4"
          value={replica.dataDir}
          onChange={(e) => setReplica({ ...replica, dataDir: e.currentTarget.value })}
        />
        <Group justify="flex-end">
          <Button disabled={!replica.name.trim() || !replica.dataDir.trim()} onClick={plan}>
            Plan
          </Button>
        </Group>
      </Stack>
    </Card>
  )
}
