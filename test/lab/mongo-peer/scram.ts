import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto'

/** Server side of SCRAM-SHA-256 (RFC 5802/7677) as mongod runs it: saslStart then one saslContinue. */
export interface ScramUser {
  user: string
  password: string
}

const ITERATIONS = 15_000
const hmac = (key: Buffer, text: string) => createHmac('sha256', key).update(text).digest()

function attrs(message: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const part of message.split(',')) {
    const m = /^([a-z])=(.*)$/.exec(part)
    if (m) out[m[1]!] = m[2]!
  }
  return out
}

export class ScramConversation {
  private clientFirstBare = ''
  private serverFirst = ''
  private nonce = ''
  private readonly salt = randomBytes(16)

  constructor(private readonly find: (name: string) => ScramUser | undefined) {}

  user: ScramUser | undefined

  /** client-first-message → server-first-message; undefined for an unknown user. */
  start(payload: string): string | undefined {
    this.clientFirstBare = payload.replace(/^n,[^,]*,/, '')
    const a = attrs(this.clientFirstBare)
    this.user = this.find((a.n ?? '').replace(/=2C/g, ',').replace(/=3D/g, '='))
    if (!this.user || !a.r) return undefined
    this.nonce = a.r + randomBytes(18).toString('base64')
    this.serverFirst = `r=${this.nonce},s=${this.salt.toString('base64')},i=${ITERATIONS}`
    return this.serverFirst
  }

  /** client-final-message → server-final-message (v=…); undefined when the proof is wrong. */
  finish(payload: string): string | undefined {
    if (!this.user) return undefined
    const a = attrs(payload)
    if (a.r !== this.nonce || !a.p) return undefined
    const withoutProof = payload.slice(0, payload.lastIndexOf(',p='))
    const salted = pbkdf2Sync(this.user.password.normalize('NFKC'), this.salt, ITERATIONS, 32, 'sha256')
    const clientKey = hmac(salted, 'Client Key')
    const storedKey = createHash('sha256').update(clientKey).digest()
    const authMessage = `${this.clientFirstBare},${this.serverFirst},${withoutProof}`
    const signature = hmac(storedKey, authMessage)
    const expected = Buffer.from(clientKey.map((b, i) => b ^ signature[i]!))
    const proof = Buffer.from(a.p, 'base64')
    if (proof.length !== expected.length || !timingSafeEqual(proof, expected)) return undefined
    return `v=${hmac(hmac(salted, 'Server Key'), authMessage).toString('base64')}`
  }
}
