/**
 * Text from servers (error messages, command output, names) as a terminal may show it: escape
 * sequences (colours, cursor moves, OSC window titles and hyperlinks, a clear screen) and other
 * control characters removed, so a hostile reply cannot rewrite what the operator reads.
 */
/* eslint-disable no-control-regex -- matching control characters is what this function is for */
export function terminalSafe(text: string): string {
  return text
    .replace(/\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?/g, '') // OSC … BEL / ST
    .replace(/\x1b\[[0-?]*[ -/]*[@-~]/g, '') // CSI
    .replace(/\x1b[@-Z\\-_]/g, '') // other two-byte escapes
    .replace(/[\x00-\x08\x0b-\x1f\x7f\x9b]/g, '')
}
/* eslint-enable no-control-regex */
