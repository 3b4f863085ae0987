import { Alert, Badge, Code, Stack, Text, Title } from '@mantine/core'
import type { AuditRecord } from '../../../../shared/actions'
import { useRequest } from '../../hooks/useRequest'
import { DataTable, type Column } from '../../components/DataTable'

const outcomeColor = (outcome: string) => (outcome === 'succeeded' ? 'teal' : outcome === 'cancelled' ? 'gray' : 'red')

const AUDIT_COLUMNS: Column<AuditRecord>[] = [
  { title: 'When', cell: (r) => new Date(r.at).toLocaleString() },
  { title: 'Action', cell: (r) => <Code>{r.kind}</Code> },
  { title: 'Target', cell: (r) => `${r.environment} / ${r.target}` },
  { title: 'Who', cell: (r) => r.actor },
  {
    title: 'Phase / outcome',
    cell: (r) =>
      r.result ? (
        <>
          <Badge color={outcomeColor(r.result.outcome)}>{r.result.outcome}</Badge>
          <Text size="xs" c="dimmed">
            {r.result.message} ({Math.round(r.result.durationMs)} ms)
          </Text>
        </>
      ) : (
        <Badge variant="outline">started</Badge>
      ),
  },
]

/** Every action, recorded before it starts and after it ends. */
export function AuditPage() {
  const audit = useRequest('audit:list', { limit: 200 })
  return (
    <Stack>
      <Title order={2}>Audit log</Title>
      {audit.error && <Alert color="red">{audit.error}</Alert>}
      <DataTable rows={audit.data ?? []} columns={AUDIT_COLUMNS} rowKey={(r) => r.id} empty={audit.data && 'No actions yet.'} />
    </Stack>
  )
}

export default AuditPage
