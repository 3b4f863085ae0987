/**
 * POSIX shell quoting: the single helper through which every remote argument passes. Everything
 * is wrapped in single quotes; an embedded single quote becomes '\''.
 */
export function shq(arg: string | number): string {
  const s = String(arg)
  if (s.includes('\0')) throw new Error('a shell argument cannot contain a NUL byte')
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(s)) return s
  return `'${s.replace(/'/g, `'\\''`)}'`
}

/** A command line from a program and its arguments, each quoted. */
export function shellCommand(program: string, ...args: (string | number)[]): string {
  return [program, ...args].map(shq).join(' ')
}
