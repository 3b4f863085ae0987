import { homedir } from 'node:os'
import { join } from 'node:path'

/**
 * One data folder shared by the desktop app, web mode and the CLI, so that an environment added in
 * one is seen by the others. SWITCHYARD_HOME overrides it (tests give every run its own).
 */
export function defaultDataDir(): string {
  if (process.env.SWITCHYARD_HOME) return process.env.SWITCHYARD_HOME
  const config = process.env.XDG_CONFIG_HOME || join(homedir(), '.config')
  return join(config, 'switchyard')
}
