import { Badge, Button, Group, Menu, Title, Tooltip } from '@mantine/core'
import { memo, type ReactNode } from 'react'
import type { HealthStatus } from '../../../shared/health'
import { StatusBadge } from './StatusBadge'
import { EndpointInterruptedRuns } from './InterruptedRuns'

/** Title, live status, the endpoint picker and the Actions menu of a system's page (memoised: pages repaint on every poll, the header rarely changes). */
export const SystemPageHeader = memo(function SystemPageHeader(props: {
  title: string
  status?: HealthStatus
  picker: ReactNode
  actionsTestId: string
  actions: ReactNode
  readOnly?: boolean
  /** The endpoint shown: its interrupted action runs appear under the header. */
  target?: { environment: string; endpointId: string }
}) {
  return (
    <>
      <Group justify="space-between">
        <Group>
          <Title order={2}>{props.title}</Title>
          {props.status && <StatusBadge status={props.status} size="md" />}
        </Group>
        <Group>
          {props.picker}
          {props.readOnly ? (
            <Tooltip label="This environment is read-only: every action is refused. Clear it under Environments to act.">
              <Badge color="grape" size="lg" data-testid={props.actionsTestId}>
                read-only
              </Badge>
            </Tooltip>
          ) : (
            <Menu>
              <Menu.Target>
                <Button disabled={!props.status} data-testid={props.actionsTestId}>
                  Actions
                </Button>
              </Menu.Target>
              <Menu.Dropdown>{props.actions}</Menu.Dropdown>
            </Menu>
          )}
        </Group>
      </Group>
      {props.target && <EndpointInterruptedRuns target={props.target} />}
    </>
  )
})
