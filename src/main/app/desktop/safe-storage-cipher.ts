import { safeStorage } from 'electron'
import type { SecretCipher } from '../../core/inventory/secret-cipher'

/** Secrets sealed by the OS keychain through Electron's safeStorage. */
export class SafeStorageCipher implements SecretCipher {
  readonly kind = 'safestorage'
  private constructor(readonly warning?: string) {}

  /** After app ready: refuses to store secrets where the OS offers no encryption at all. */
  static async create(): Promise<SafeStorageCipher> {
    if (!(await safeStorage.isAsyncEncryptionAvailable())) throw new Error('OS encryption is not available; cannot store secrets safely')
    const plainText = process.platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text'
    return new SafeStorageCipher(
      plainText
        ? 'No keyring found (gnome-libsecret or kwallet): Electron falls back to a plain-text key, so stored secrets are only obfuscated. Install and unlock a keyring.'
        : undefined,
    )
  }

  async encrypt(plain: string): Promise<string> {
    return (await safeStorage.encryptStringAsync(plain)).toString('base64')
  }

  async decrypt(sealed: string): Promise<string> {
    return (await safeStorage.decryptStringAsync(Buffer.from(sealed, 'base64'))).result
  }
}
