import { randomUUID } from 'node:crypto'
import { shq } from './quote'
import type { SshSession } from './ssh-session'

const BACKUPS_KEPT = 10

/**
 * Replace a file on the host atomically: the new bytes travel over SFTP (no command-line size
 * limit) into a temporary copy beside it that keeps the file's owner and mode, then a rename; a
 * dated backup is kept (the newest BACKUPS_KEPT of them). Returns the backup's path.
 */
export async function replaceRemoteFile(session: SshSession, path: string, text: string): Promise<string> {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('.', '-').replace('Z', '')
  const backup = `${path}.switchyard-${stamp}.bak`
  // unique per write: two processes editing the same file never share a temporary file
  const tmp = `${path}.switchyard-${stamp}-${process.pid}-${randomUUID().slice(0, 8)}.tmp`
  await session.run(`cp -p -- ${shq(path)} ${shq(backup)} && cp -p -- ${shq(path)} ${shq(tmp)}`, { timeoutMs: 15_000 })
  try {
    await session.writeFile(tmp, text)
    await session.run(
      [
        `sync -- ${shq(tmp)} 2>/dev/null; mv -f -- ${shq(tmp)} ${shq(path)}`,
        `ls -1t -- ${shq(path)}.switchyard-*.bak | tail -n +${BACKUPS_KEPT + 1} | xargs -r rm -f --`,
      ].join(' && '),
      { timeoutMs: 15_000 },
    )
  } catch (err) {
    await session.exec(`rm -f -- ${shq(tmp)}`, { timeoutMs: 10_000 }).catch(() => undefined)
    throw err
  }
  return backup
}

/** Put a backup made by replaceRemoteFile back. */
export async function restoreRemoteFile(session: SshSession, path: string, backup: string): Promise<void> {
  await session.run(`cp -p -- ${shq(backup)} ${shq(path)}`, { timeoutMs: 10_000 })
}
