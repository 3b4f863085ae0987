import { Card, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core'
import type { AppTier } from '../../../../shared/systems/nginx'
import { ago } from './app-format'
import { TableHead } from '../../components/TableHead'

export function NginxTab({ tier }: { tier: AppTier }) {
  return (
    <SimpleGrid cols={{ base: 1, lg: 2 }}>
      <Card withBorder>
        <Title order={5} mb="xs">
          Server blocks
        </Title>
        <Table>
          <TableHead columns={['listen', 'names', 'locations']} />
          <Table.Tbody>
            {tier.servers.map((s) => (
              <Table.Tr key={`${s.file}:${s.line}`}>
                <Table.Td>{s.listen.join(', ')}</Table.Td>
                <Table.Td>{s.serverNames.join(' ') || '—'}</Table.Td>
                <Table.Td>
                  {s.locations.map((l) => (
                    <Text size="xs" key={l.path}>
                      {l.path}
                      {l.proxyPass ? ` → ${l.proxyPass}` : ''}
                    </Text>
                  ))}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
        <Text size="xs" c="dimmed" mt="xs">
          files: {tier.configFiles.join(', ') || '—'}
        </Text>
      </Card>
      <Stack>
        <Card withBorder data-testid="reloads">
          <Title order={5} mb="xs">
            Reloads
          </Title>
          {tier.reloads.length === 0 && <Text c="dimmed">none in the error log&apos;s tail</Text>}
          {[...tier.reloads].reverse().map((r, i) => (
            <Text size="sm" key={i}>
              {new Date(r.at).toLocaleString()} · {ago(r.at, tier.checkedAt)}
            </Text>
          ))}
        </Card>
        <Card withBorder>
          <Title order={5} mb="xs">
            Upstream errors
          </Title>
          {tier.failures.length === 0 && <Text c="dimmed">none in the error log&apos;s tail</Text>}
          {[...tier.failures]
            .reverse()
            .slice(0, 20)
            .map((f, i) => (
              <Text size="xs" key={i}>
                {new Date(f.at).toLocaleTimeString()} [{f.level}] {f.upstream ?? ''} {f.message}
              </Text>
            ))}
        </Card>
      </Stack>
    </SimpleGrid>
  )
}
