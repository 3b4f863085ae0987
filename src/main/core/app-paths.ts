import { homedir } from 'node:os'
import { join } from 'node:path'

/**
 * One data folder shared by the desktop app, web mode and the CLI, so that an environment added in
 * one is seen by the others: where each OS keeps an application's settings. SWITCHYARD_HOME
 * overrides it (tests give every run its own).
 */
export function defaultDataDir(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env, home = homedir()): string {
  if (env.SWITCHYARD_HOME) return env.SWITCHYARD_HOME
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'Switchyard')
  if (platform === 'win32') return join(env.APPDATA || join(home, 'AppData', 'Roaming'), 'Switchyard')
  return join(env.XDG_CONFIG_HOME || join(home, '.config'), 'switchyard')
}
