/** Where a CLI command writes; tests pass collectors, the binary passes stdout and stderr. */
export interface CliIo {
  out(s: string): void
  err(s: string): void
}
