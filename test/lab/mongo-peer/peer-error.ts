/** A command failure with MongoDB's own code and codeName, sent back as { ok: 0, errmsg, code, codeName }. */
export class PeerError extends Error {
  constructor(
    readonly code: number,
    readonly codeName: string,
    message: string,
  ) {
    super(message)
  }
}
