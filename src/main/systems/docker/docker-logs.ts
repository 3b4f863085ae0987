import type { DockerLogLine } from '../../../shared/systems/docker'
import type { Connections } from '../../core/connections'
import { SwitchyardError } from '../../core/errors'
import { dockerClient } from './docker-client'

/** Split Docker's multiplexed log stream (8-byte frame headers: stream, 0, 0, 0, length) into lines. */
export function demuxLogs(buf: Buffer, timestamps = true): DockerLogLine[] {
  const lines: DockerLogLine[] = []
  const push = (stream: DockerLogLine['stream'], text: string) => {
    for (const raw of text.split('\n')) {
      if (!raw) continue
      const sp = timestamps ? raw.indexOf(' ') : -1
      lines.push({ at: sp > 0 ? raw.slice(0, sp) : '', stream, text: sp > 0 ? raw.slice(sp + 1) : raw })
    }
  }
  let i = 0
  const framed = buf.length >= 8 && (buf[0] === 1 || buf[0] === 2) && buf[1] === 0 && buf[2] === 0 && buf[3] === 0
  if (!framed) {
    push('stdout', buf.toString('utf8'))
    return lines
  }
  while (i + 8 <= buf.length) {
    const stream = buf[i] === 2 ? 'stderr' : 'stdout'
    const len = buf.readUInt32BE(i + 4)
    push(stream, buf.subarray(i + 8, i + 8 + len).toString('utf8'))
    i += 8 + len
  }
  return lines
}

/** The tail of a container's log, or what came after `since` (an RFC 3339 time from an earlier line). */
export async function containerLogs(
  connections: Connections,
  endpointId: string,
  container: string,
  since?: string,
  tail = 200,
): Promise<{ lines: DockerLogLine[] }> {
  const endpoint = connections.endpoint(endpointId)
  if (endpoint.kind !== 'docker') throw new SwitchyardError('config', `"${endpointId}" is not a Docker endpoint`)
  const docker = await dockerClient(endpoint, connections)
  const sinceSec = since ? Date.parse(since) / 1000 : undefined
  const buf = await docker
    .getContainer(container)
    .logs({ stdout: true, stderr: true, timestamps: true, follow: false, tail, ...(sinceSec ? { since: sinceSec } : {}) })
  const lines = demuxLogs(buf)
  // `since` is whole seconds on older daemons: drop what the caller already has
  return { lines: since ? lines.filter((l) => l.at > since) : lines }
}
