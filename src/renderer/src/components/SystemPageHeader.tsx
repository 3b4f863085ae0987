import { Button, Group, Menu, Title } from '@mantine/core'
import type { ReactNode } from 'react'
import type { HealthStatus } from '../../../shared/health'
import { StatusBadge } from './StatusBadge'

/** Title, live status, the endpoint picker and the Actions menu of a system's page. */
export function SystemPageHeader(props: { title: string; status?: HealthStatus; picker: ReactNode; actionsTestId: string; actions: ReactNode }) {
  return (
    <Group justify="space-between">
      <Group>
        <Title order={2}>{props.title}</Title>
        {props.status && <StatusBadge status={props.status} size="md" />}
      </Group>
      <Group>
        {props.picker}
        <Menu>
          <Menu.Target>
            <Button disabled={!props.status} data-testid={props.actionsTestId}>
              Actions
            </Button>
          </Menu.Target>
          <Menu.Dropdown>{props.actions}</Menu.Dropdown>
        </Menu>
      </Group>
    </Group>
  )
}
