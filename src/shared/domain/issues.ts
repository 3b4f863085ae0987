/** A schema problem as zod reports it: where, and what is wrong. */
export interface Issue {
  path: readonly PropertyKey[]
  message: string
}

export function issuePath(path: readonly PropertyKey[]): string {
  return path.length ? path.map(String).join('.') : '(root)'
}

/** Every issue on one line, for a message in the UI. */
export function issuesInline(issues: readonly Issue[]): string {
  return issues.map((i) => `${issuePath(i.path)}: ${i.message}`).join('; ')
}

/** Every issue on its own line, with its path (and its line in the source when known). */
export function describeIssues(issues: readonly Issue[], lineOf: (path: readonly PropertyKey[]) => number | undefined = () => undefined): string {
  return issues
    .map((i) => {
      const line = lineOf(i.path)
      return `  ${line !== undefined ? `line ${line}, ` : ''}${issuePath(i.path)}: ${i.message}`
    })
    .join('\n')
}
