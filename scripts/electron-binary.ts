import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * The Electron executable if it is installed. Never require('electron') to find out: when the
 * binary is missing, that require tries to download it, and this machine must not download.
 */
export function electronBinary(root = fileURLToPath(new URL('..', import.meta.url))): string | undefined {
  const pkg = join(root, 'node_modules/electron')
  const pathFile = join(pkg, 'path.txt')
  if (!existsSync(pathFile)) return undefined
  const binary = join(pkg, 'dist', readFileSync(pathFile, 'utf8').trim())
  return existsSync(binary) ? binary : undefined
}
