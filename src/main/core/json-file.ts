import { randomBytes } from 'node:crypto'
import { link, mkdir, open, readFile, rename, unlink } from 'node:fs/promises'
import { basename, dirname } from 'node:path'
import { SwitchyardError } from './errors'

/** Write bytes to a new file and make them durable before anyone can see it. */
async function writeDurable(path: string, data: string, mode: number): Promise<void> {
  const fh = await open(path, 'wx', mode)
  try {
    await fh.writeFile(data)
    await fh.sync()
  } finally {
    await fh.close()
  }
}

/** The folder's entry for a renamed or linked file, made durable too (a crash after rename must not undo it). */
async function syncFolder(path: string): Promise<void> {
  const dir = await open(dirname(path), 'r').catch(() => undefined)
  if (!dir) return
  try {
    await dir.sync()
  } catch {
    // some file systems refuse fsync on a directory; the rename itself is still atomic
  } finally {
    await dir.close()
  }
}

const tmpName = (path: string) => `${dirname(path)}/.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`

/** Write via a temporary file, fsync and rename, so a crash leaves the old file or the new one — never half of one. */
export async function writeFileAtomic(path: string, data: string, mode = 0o600): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 })
  const tmp = tmpName(path)
  try {
    await writeDurable(tmp, data, mode)
    await rename(tmp, path)
  } catch (err) {
    await unlink(tmp).catch(() => undefined)
    throw err
  }
  await syncFolder(path)
}

/**
 * Create a file only if it does not exist yet, atomically and durably: of two processes racing,
 * exactly one file wins and both read it. Returns whether this call created it.
 */
export async function createFileOnce(path: string, data: string, mode = 0o600): Promise<boolean> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 })
  const tmp = tmpName(path)
  try {
    await writeDurable(tmp, data, mode)
    await link(tmp, path)
    await syncFolder(path)
    return true
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false
    throw err
  } finally {
    await unlink(tmp).catch(() => undefined)
  }
}

/** A JSON file's value; the fallback when there is none; a clear message naming the file when it is not JSON. */
export async function readJson<T>(path: string, fallback: T): Promise<T> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return fallback
    throw err
  }
  try {
    return JSON.parse(text) as T
  } catch (err) {
    throw new SwitchyardError('config', `${path} is damaged (${(err as Error).message}); fix it or move it aside — nothing was changed`)
  }
}

export function writeJson(path: string, value: unknown): Promise<void> {
  return writeFileAtomic(path, JSON.stringify(value, null, 2) + '\n')
}
