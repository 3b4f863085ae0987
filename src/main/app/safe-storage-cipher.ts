import { safeStorage } from 'electron'
import type { SecretCipher } from '../core/inventory/secret-cipher'

/** Secrets sealed by the OS keychain through Electron's safeStorage. */
export class SafeStorageCipher implements SecretCipher {
  readonly kind = 'safestorage'
  readonly warning?: string

  constructor() {
    if (!safeStorage.isEncryptionAvailable()) throw new Error('OS encryption is not available; cannot store secrets safely')
    if (process.platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text')
      this.warning = 'No keyring found (gnome-libsecret or kwallet): Electron falls back to a plain-text key, so stored secrets are only obfuscated. Install and unlock a keyring.'
  }

  async encrypt(plain: string): Promise<string> {
    return safeStorage.encryptString(plain).toString('base64')
  }

  async decrypt(sealed: string): Promise<string> {
    return safeStorage.decryptString(Buffer.from(sealed, 'base64'))
  }
}
