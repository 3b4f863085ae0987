import { Alert, Badge, Code, Stack, Table, Text, Title } from '@mantine/core'
import { useRequest } from '../../hooks/useRequest'
import { TableHead } from '../../components/TableHead'

/** Every action, recorded before it starts and after it ends. */
export function AuditPage() {
  const audit = useRequest('audit:list', { limit: 200 })
  return (
    <Stack>
      <Title order={2}>Audit log</Title>
      {audit.error && <Alert color="red">{audit.error}</Alert>}
      <Table>
        <TableHead columns={['When', 'Action', 'Target', 'Who', 'Phase / outcome']} />
        <Table.Tbody>
          {audit.data?.map((r) => (
            <Table.Tr key={r.id}>
              <Table.Td>{new Date(r.at).toLocaleString()}</Table.Td>
              <Table.Td>
                <Code>{r.kind}</Code>
              </Table.Td>
              <Table.Td>
                {r.environment} / {r.target}
              </Table.Td>
              <Table.Td>{r.actor}</Table.Td>
              <Table.Td>
                {r.result ? (
                  <Badge color={r.result.outcome === 'succeeded' ? 'teal' : r.result.outcome === 'cancelled' ? 'gray' : 'red'}>{r.result.outcome}</Badge>
                ) : (
                  <Badge variant="outline">started</Badge>
                )}
                {r.result && (
                  <Text size="xs" c="dimmed">
                    {r.result.message} ({Math.round(r.result.durationMs)} ms)
                  </Text>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {audit.data?.length === 0 && <Text c="dimmed">No actions yet.</Text>}
    </Stack>
  )
}

export default AuditPage
