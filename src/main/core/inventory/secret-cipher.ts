import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { chmod, readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { createFileOnce } from '../json-file'

/** Encrypts secrets at rest. The desktop app uses the OS keychain (safeStorage); web mode and the CLI a key file. */
export interface SecretCipher {
  readonly kind: string
  /** Set when the backend protects less than it should (e.g. Linux without a keyring). */
  readonly warning?: string
  encrypt(plain: string): Promise<string>
  decrypt(sealed: string): Promise<string>
}

const KEY_FILE = 'secret.key'

/** AES-256-GCM with a random key kept in a 0600 file inside the data folder. */
export class KeyFileCipher implements SecretCipher {
  readonly kind = 'keyfile'
  private key?: Buffer

  constructor(private readonly dataDir: string) {}

  private async loadKey(): Promise<Buffer> {
    if (this.key) return this.key
    const path = join(this.dataDir, KEY_FILE)
    // of two processes starting at once, one creates the key and both read that one
    await createFileOnce(path, randomBytes(32).toString('base64') + '\n', 0o600)
    const s = await stat(path)
    if ((s.mode & 0o077) !== 0) await chmod(path, 0o600)
    this.key = Buffer.from((await readFile(path, 'utf8')).trim(), 'base64')
    if (this.key.length !== 32) throw new Error(`the secret key file ${path} is damaged (expected 32 bytes)`)
    return this.key
  }

  async encrypt(plain: string): Promise<string> {
    const key = await this.loadKey()
    const iv = randomBytes(12)
    const cipher = createCipheriv('aes-256-gcm', key, iv)
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()])
    return ['v1', iv.toString('base64'), cipher.getAuthTag().toString('base64'), body.toString('base64')].join(':')
  }

  async decrypt(sealed: string): Promise<string> {
    const [version, iv, tag, body] = sealed.split(':')
    if (version !== 'v1' || !iv || !tag || body === undefined) throw new Error('a stored secret is not in a known format')
    const decipher = createDecipheriv('aes-256-gcm', await this.loadKey(), Buffer.from(iv, 'base64'))
    decipher.setAuthTag(Buffer.from(tag, 'base64'))
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]).toString('utf8')
  }
}
