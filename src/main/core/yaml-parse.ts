import { isNode, LineCounter, parseDocument } from 'yaml'
import type { z } from 'zod'
import { describeIssues } from '../../shared/domain/issues'
import { SwitchyardError } from './errors'

/** Parse YAML and validate it with a schema; every problem is reported at once, each with its path and line. */
export function parseYaml<S extends z.ZodType>(text: string, schema: S, what: string): z.infer<S> {
  const lines = new LineCounter()
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false })
  if (doc.errors.length) {
    const e = doc.errors[0]!
    throw new SwitchyardError('config', `not valid YAML: line ${lines.linePos(e.pos[0]).line}: ${e.message.split('\n')[0]}`)
  }
  const parsed = schema.safeParse(doc.toJS())
  if (parsed.success) return parsed.data
  const lineOf = (path: readonly PropertyKey[]) => {
    for (let n = path.length; n > 0; n--) {
      const node = doc.getIn(path.slice(0, n), true)
      if (isNode(node) && node.range) return lines.linePos(node.range[0]).line
    }
    return undefined
  }
  const issues = parsed.error.issues
  throw new SwitchyardError('config', `not ${what} (${issues.length} problem${issues.length > 1 ? 's' : ''}):\n${describeIssues(issues, lineOf)}`)
}
