import { Alert, Button, Stack, Table, Text, Title } from '@mantine/core'
import { api } from '../../api'
import { useRequest } from '../../hooks/useRequest'
import { TableHead } from '../../components/TableHead'

/** SSH host keys trusted on first use; removing one is how a deliberately changed key is accepted. */
export function KnownHostsPage() {
  const hosts = useRequest('hostkey:list', {})
  return (
    <Stack>
      <Title order={2}>Known hosts</Title>
      <Text size="sm" c="dimmed">
        Switchyard trusts an SSH host key the first time it connects and refuses any different key afterwards. If a server was rebuilt on purpose, check its new
        fingerprint with its owner, then remove the old entry here.
      </Text>
      {hosts.error && <Alert color="red">{hosts.error}</Alert>}
      <Table>
        <TableHead columns={['Host', 'Key', 'Fingerprint', 'Trusted since', '']} />
        <Table.Tbody>
          {hosts.data?.map((h) => (
            <Table.Tr key={`${h.host}:${h.port}`}>
              <Table.Td ff="monospace">
                {h.host}:{h.port}
              </Table.Td>
              <Table.Td>{h.algorithm}</Table.Td>
              <Table.Td ff="monospace">{h.fingerprint}</Table.Td>
              <Table.Td>{new Date(h.addedAt).toLocaleString()}</Table.Td>
              <Table.Td>
                <Button
                  size="xs"
                  color="red"
                  variant="subtle"
                  onClick={() => void api.request('hostkey:forget', { host: h.host, port: h.port }).then(() => hosts.reload())}
                >
                  Remove
                </Button>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {hosts.data?.length === 0 && <Text c="dimmed">No SSH host contacted yet.</Text>}
    </Stack>
  )
}

export default KnownHostsPage
