import { Alert, Group, Stack, Text, Title } from '@mantine/core'
import type { KnownHost } from '../../../../shared/contract'
import { api } from '../../api'
import { useRequest } from '../../hooks/useRequest'
import { DataTable, type Column } from '../../components/DataTable'
import { RowActions } from '../../components/RowActions'

/** SSH host keys trusted on first use; removing one is how a deliberately changed key is accepted. */
export function KnownHostsPage() {
  const hosts = useRequest('hostkey:list', {})
  const columns: Column<KnownHost>[] = [
    {
      title: 'Host',
      cell: (h) => (
        <Group gap={6} wrap="nowrap">
          <RowActions
            subject={`${h.host}:${h.port}`}
            actions={[
              {
                label: 'Remove: trust the next key it shows',
                color: 'red',
                onClick: () => void api.request('hostkey:forget', { host: h.host, port: h.port }).then(() => hosts.reload()),
              },
            ]}
          />
          <Text size="sm" ff="monospace">
            {h.host}:{h.port}
          </Text>
        </Group>
      ),
    },
    { title: 'Key', cell: (h) => h.algorithm },
    { title: 'Fingerprint', mono: true, cell: (h) => h.fingerprint },
    { title: 'Trusted since', cell: (h) => new Date(h.addedAt).toLocaleString() },
  ]
  return (
    <Stack>
      <Title order={2}>Known hosts</Title>
      <Text size="sm" c="dimmed">
        Switchyard trusts an SSH host key the first time it connects and refuses any different key afterwards. If a server was rebuilt on purpose, check its new
        fingerprint with its owner, then remove the old entry here.
      </Text>
      {hosts.error && <Alert color="red">{hosts.error}</Alert>}
      <DataTable rows={hosts.data ?? []} columns={columns} rowKey={(h) => `${h.host}:${h.port}`} empty={hosts.data && 'No SSH host contacted yet.'} />
    </Stack>
  )
}

export default KnownHostsPage
