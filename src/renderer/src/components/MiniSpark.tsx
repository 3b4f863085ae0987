import { memo } from 'react'

/**
 * A sparkline as one SVG polyline: for tables with a row per node, where a chart instance per
 * row would cost more than the rest of the table together.
 */
export const MiniSpark = memo(function MiniSpark({
  values,
  color,
  width = 110,
  height = 24,
}: {
  values: readonly number[]
  color: string
  width?: number
  height?: number
}) {
  if (values.length < 2) return <svg width={width} height={height} />
  const max = Math.max(...values, 1)
  const step = width / (values.length - 1)
  const points = values.map((v, i) => `${(i * step).toFixed(1)},${(height - 2 - (v / max) * (height - 4)).toFixed(1)}`).join(' ')
  return (
    <svg width={width} height={height} aria-label={`last ${values.length} samples, latest ${values.at(-1)}`}>
      <polygon points={`0,${height} ${points} ${width},${height}`} fill={color} opacity={0.15} />
      <polyline points={points} fill="none" stroke={color} strokeWidth={1.5} />
    </svg>
  )
})
