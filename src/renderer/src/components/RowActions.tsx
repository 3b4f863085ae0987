import { ActionIcon, Menu } from '@mantine/core'
import { forwardRef, type ComponentPropsWithoutRef } from 'react'

/**
 * The one button a table row's actions hide behind: narrow enough that no table needs to scroll to
 * reach it at 1280 px, named for screen readers and tests by the row it acts on.
 */
export const RowActionsButton = forwardRef<HTMLButtonElement, { subject: string } & ComponentPropsWithoutRef<'button'>>(function RowActionsButton(
  { subject, ...rest },
  ref,
) {
  return (
    <ActionIcon ref={ref} variant="light" size="sm" aria-label={`Actions for ${subject}`} {...rest}>
      ⋯
    </ActionIcon>
  )
})

export interface RowAction {
  label: string
  onClick: () => void
  color?: string
  disabled?: boolean
  testId?: string
}

/** A row's actions in one menu: what would otherwise be a column of buttons cut at the right edge. */
export function RowActions({ subject, actions, testId }: { subject: string; actions: readonly RowAction[]; testId?: string }) {
  return (
    <Menu position="bottom-start" withinPortal>
      <Menu.Target>
        <RowActionsButton subject={subject} data-testid={testId} />
      </Menu.Target>
      <Menu.Dropdown>
        {actions.map((a) => (
          <Menu.Item key={a.label} color={a.color} disabled={a.disabled} onClick={a.onClick} data-testid={a.testId}>
            {a.label}
          </Menu.Item>
        ))}
      </Menu.Dropdown>
    </Menu>
  )
}
