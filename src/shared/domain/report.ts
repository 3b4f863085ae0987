import type { MomentSeries } from '../timeline'

/**
 * A report as data (an incident's window, a procedure run) and its two renderings: Markdown to
 * paste into a ticket, HTML (self-contained, charts as inline SVG, a print stylesheet) to read,
 * print or turn into a PDF. Every value is text from servers or people and is escaped.
 */
export interface ReportDoc {
  title: string
  subtitle: string
  sections: ReportSection[]
}

export type ReportSection =
  | { kind: 'table'; title: string; columns: string[]; rows: string[][]; empty: string }
  | { kind: 'charts'; title: string; series: MomentSeries[]; from: number; to: number }
  | { kind: 'code'; title: string; blocks: { caption: string; lines: string[] }[]; empty: string }

export function formatTime(at: number): string {
  return new Date(at)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z')
}

function seriesSummary(s: MomentSeries): { min: number; max: number; last: number; peakAt: number } | null {
  const pts = s.points.filter((p): p is [number, number] => p[1] !== null)
  if (pts.length === 0) return null
  let peak = pts[0]!
  for (const p of pts) if (p[1] > peak[1]) peak = p
  return { min: Math.min(...pts.map((p) => p[1])), max: peak[1], last: pts.at(-1)![1], peakAt: peak[0] }
}

const num = (n: number) => (Math.abs(n) >= 100 ? Math.round(n).toLocaleString('en-US') : String(Math.round(n * 100) / 100))

// ---- Markdown ----

const mdCell = (s: string) => s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ')

function mdSection(s: ReportSection): string {
  const head = `## ${s.title}\n\n`
  if (s.kind === 'table') {
    if (s.rows.length === 0) return `${head}${s.empty}\n`
    const line = (cells: string[]) => `| ${cells.map(mdCell).join(' | ')} |`
    return `${head}${[line(s.columns), line(s.columns.map(() => '---')), ...s.rows.map(line)].join('\n')}\n`
  }
  if (s.kind === 'charts') {
    const rows = s.series.flatMap((x) => {
      const sum = seriesSummary(x)
      return sum ? [`| ${mdCell(x.label)} | ${x.unit} | ${num(sum.min)} | ${num(sum.max)} (${formatTime(sum.peakAt)}) | ${num(sum.last)} |`] : []
    })
    if (rows.length === 0) return `${head}No metric history was recorded in this window.\n`
    return `${head}| metric | unit | min | max (at) | last |\n| --- | --- | --- | --- | --- |\n${rows.join('\n')}\n`
  }
  if (s.blocks.length === 0) return `${head}${s.empty}\n`
  return head + s.blocks.map((b) => `${b.caption}\n\n\`\`\`\n${b.lines.join('\n').replace(/```/g, '`\u200b``')}\n\`\`\`\n`).join('\n')
}

export function reportMarkdown(doc: ReportDoc): string {
  return `# ${doc.title}\n\n${doc.subtitle}\n\n${doc.sections.map(mdSection).join('\n')}`
}

// ---- HTML ----

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!)
}

const W = 640
const H = 120

function svgChart(s: MomentSeries, from: number, to: number): string {
  const sum = seriesSummary(s)
  if (!sum) return ''
  const span = Math.max(1, to - from)
  const top = sum.max > 0 ? sum.max : 1
  const segments: string[][] = [[]]
  for (const [at, v] of s.points) {
    if (v === null) {
      if (segments.at(-1)!.length) segments.push([])
      continue
    }
    const x = ((at - from) / span) * W
    const y = H - (v / top) * (H - 10)
    segments.at(-1)!.push(`${x.toFixed(1)},${y.toFixed(1)}`)
  }
  const lines = segments
    .filter((p) => p.length)
    .map((p) => `<polyline fill="none" stroke="#228be6" stroke-width="1.5" points="${p.join(' ')}"/>`)
    .join('')
  return `<figure><figcaption>${escapeHtml(s.label)} <span class="muted">(${escapeHtml(s.unit)}; max ${num(sum.max)} at ${formatTime(sum.peakAt)}, last ${num(sum.last)})</span></figcaption>
<svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${escapeHtml(s.label)}"><rect width="${W}" height="${H}" fill="none" stroke="#ccc"/>${lines}</svg>
<div class="axis"><span>${formatTime(from)}</span><span>${formatTime(to)}</span></div></figure>`
}

function htmlSection(s: ReportSection): string {
  const head = `<h2>${escapeHtml(s.title)}</h2>`
  if (s.kind === 'table') {
    if (s.rows.length === 0) return `<section>${head}<p class="muted">${escapeHtml(s.empty)}</p></section>`
    const th = s.columns.map((c) => `<th>${escapeHtml(c)}</th>`).join('')
    const trs = s.rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`).join('\n')
    return `<section>${head}<table><thead><tr>${th}</tr></thead><tbody>${trs}</tbody></table></section>`
  }
  if (s.kind === 'charts') {
    const charts = s.series.map((x) => svgChart(x, s.from, s.to)).filter(Boolean)
    return `<section>${head}${charts.length ? charts.join('\n') : '<p class="muted">No metric history was recorded in this window.</p>'}</section>`
  }
  if (s.blocks.length === 0) return `<section>${head}<p class="muted">${escapeHtml(s.empty)}</p></section>`
  return `<section>${head}${s.blocks.map((b) => `<p>${escapeHtml(b.caption)}</p><pre>${escapeHtml(b.lines.join('\n'))}</pre>`).join('\n')}</section>`
}

const STYLE = `
body{font:14px/1.45 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1a1b1e}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #ddd}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.25rem .5rem;border-bottom:1px solid #eee;vertical-align:top}
th{background:#f5f5f5}pre{background:#f5f5f5;padding:.5rem;overflow-x:auto;white-space:pre-wrap}
.muted{color:#777}figure{margin:1rem 0}.axis{display:flex;justify-content:space-between;width:${W}px;color:#777;font-size:12px}
@media print{body{margin:0;max-width:none}section{break-inside:avoid}pre{white-space:pre-wrap}}
`

export function reportHtml(doc: ReportDoc): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${escapeHtml(doc.title)}</title><style>${STYLE}</style></head>
<body><h1>${escapeHtml(doc.title)}</h1><p class="muted">${escapeHtml(doc.subtitle)}</p>
${doc.sections.map(htmlSection).join('\n')}
</body></html>
`
}
