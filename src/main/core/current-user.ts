import { userInfo } from 'node:os'

/** Who is at the keyboard, for the audit trail, incidents and procedure steps. */
export function currentUser(): string {
  try {
    return userInfo().username
  } catch {
    return 'unknown'
  }
}
