/**
 * Fault injection for the chaos suite: SWITCHYARD_FAULT=kill-before:N kills this process with
 * SIGKILL once step N (1-based) of a run is journaled as started and before anything of it is
 * sent; kill-during:N:MS kills it MS milliseconds into step N. Unset, this does nothing.
 */
const spec = /^kill-(before|during):(\d+)(?::(\d+))?$/.exec(process.env.SWITCHYARD_FAULT ?? '')

export function faultAt(index: number): void {
  if (!spec || Number(spec[2]) !== index + 1) return
  if (spec[1] === 'before') process.kill(process.pid, 'SIGKILL')
  // unref: a run that ends before the moment exits as usual instead of waiting to be killed.
  else setTimeout(() => process.kill(process.pid, 'SIGKILL'), Number(spec[3] ?? 500)).unref()
}
