import { Table, type MantineFontSize, type MantineSpacing } from '@mantine/core'
import { memo, useEffect, useRef, type CSSProperties, type ReactNode } from 'react'
import './data-table.css'

export interface Column<R> {
  /** The header: text, a node for a title with a tooltip, '' for an untitled column. */
  title: ReactNode
  cell: (row: R, index: number) => ReactNode
  /** Addresses, fingerprints, slot and member names. */
  mono?: boolean
  /** A colour for the cell from its row (a value past its threshold). */
  color?: (row: R) => string | undefined
  width?: number
  maxWidth?: number
}

/** What a row carries besides its cells: test ids and data attributes the e2e tests read, a click. */
export type RowAttributes = Record<`data-${string}`, string | number | undefined> & { onClick?: () => void }

interface Props<R> {
  rows: readonly R[]
  columns: readonly Column<R>[]
  rowKey: (row: R, index: number) => string
  rowAttributes?: (row: R, index: number) => RowAttributes
  /**
   * Rows that show the same thing skip their repaint (a large cluster polled every second); the
   * columns must then be memoised by the caller, since a new column list repaints every row.
   */
  sameRow?: (a: R, b: R) => boolean
  /** The row a link named (#/<view>/<env>/<endpoint>/<node>): highlighted and scrolled into view. */
  focused?: (row: R) => boolean
  testId?: string
  /** Below this width the table scrolls sideways inside its card, its first column staying in place. */
  minWidth?: number
  maxHeight?: number
  /** Cells on one line: the table scrolls rather than wrapping addresses and badges. */
  nowrap?: boolean
  striped?: boolean
  dense?: boolean
  empty?: ReactNode
}

const STICKY: CSSProperties = {
  position: 'sticky',
  left: 0,
  zIndex: 1,
  background: 'var(--data-table-bg)',
  boxShadow: 'inset -1px 0 0 var(--table-border-color, var(--mantine-color-default-border))',
}

function cellStyle<R>(column: Column<R>, first: boolean): CSSProperties | undefined {
  if (!first && !column.width && !column.maxWidth) return undefined
  return { ...(first ? STICKY : {}), width: column.width, maxWidth: column.maxWidth }
}

interface RowProps<R> {
  row: R
  index: number
  columns: readonly Column<R>[]
  attributes?: RowAttributes
  sameRow?: (a: R, b: R) => boolean
  focused: boolean
}

function DataRowView<R>({ row, index, columns, attributes, focused }: RowProps<R>) {
  const { onClick, ...data } = attributes ?? {}
  const ref = useRef<HTMLTableRowElement>(null)
  useEffect(() => {
    if (focused) ref.current?.scrollIntoView({ block: 'center' })
  }, [focused])
  return (
    <Table.Tr
      ref={ref}
      {...data}
      data-focused={focused || undefined}
      className={focused ? 'data-table-focused' : undefined}
      onClick={onClick}
      style={onClick ? { cursor: 'pointer' } : undefined}
    >
      {columns.map((c, i) => (
        <Table.Td key={i} ff={c.mono ? 'monospace' : undefined} c={c.color?.(row)} style={cellStyle(c, i === 0)}>
          {c.cell(row, index)}
        </Table.Td>
      ))}
    </Table.Tr>
  )
}

const sameAttributes = (a?: RowAttributes, b?: RowAttributes) =>
  a === b ||
  (!!a &&
    !!b &&
    Object.keys(a).length === Object.keys(b).length &&
    Object.entries(a).every(([k, v]) => typeof v === 'function' || b[k as keyof RowAttributes] === v))

const DataRow = memo(
  DataRowView,
  (a, b) =>
    !!a.sameRow &&
    a.focused === b.focused &&
    a.columns === b.columns &&
    a.index === b.index &&
    sameAttributes(a.attributes, b.attributes) &&
    a.sameRow(a.row, b.row),
) as typeof DataRowView

/**
 * The one table of every page: it scrolls sideways inside its card rather than past it, keeps its
 * first column (where a row's name and its actions menu sit) in view while it does, and keeps its
 * header in view when it scrolls down.
 */
export function DataTable<R>({ rows, columns, rowKey, rowAttributes, sameRow, focused, testId, minWidth, maxHeight, nowrap, striped, dense, empty }: Props<R>) {
  const fz: MantineFontSize | undefined = dense ? 'xs' : undefined
  const spacing: MantineSpacing | undefined = dense ? 6 : undefined
  return (
    <Table.ScrollContainer type="native" minWidth={minWidth ?? 0} maxHeight={maxHeight}>
      <Table
        data-testid={testId}
        striped={striped}
        stickyHeader={maxHeight !== undefined}
        fz={fz}
        horizontalSpacing={spacing}
        style={nowrap ? { whiteSpace: 'nowrap' } : undefined}
      >
        <Table.Thead>
          <Table.Tr>
            {columns.map((c, i) => (
              <Table.Th key={i} style={i === 0 ? { ...cellStyle(c, true), zIndex: 2 } : cellStyle(c, false)}>
                {c.title}
              </Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((row, i) => (
            <DataRow
              key={rowKey(row, i)}
              row={row}
              index={i}
              columns={columns}
              attributes={rowAttributes?.(row, i)}
              sameRow={sameRow}
              focused={focused?.(row) ?? false}
            />
          ))}
          {rows.length === 0 && empty && (
            <Table.Tr>
              <Table.Td colSpan={columns.length} c="dimmed">
                {empty}
              </Table.Td>
            </Table.Tr>
          )}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  )
}
