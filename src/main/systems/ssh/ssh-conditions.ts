import { z } from 'zod'
import { defineCondition } from '../../core/conditions'
import type { ServiceHub } from '../../core/service-hub'
import { shellCommand, shq } from '../../core/ssh/quote'

const AbsPath = z.string().regex(/^\/[A-Za-z0-9._/-]*$/, 'an absolute path (letters, digits, . _ - /)')

async function session(ctx: { hub: ServiceHub; environment: string; endpointId: string }) {
  const { connections } = await ctx.hub.connect(ctx.environment)
  return connections.ssh(ctx.endpointId)
}

/** Checks on the SSH hosts of an environment; without a named endpoint each runs on every host. */
export const hostConditions = [
  defineCondition({
    name: 'host.command',
    summary: 'a program is installed on the host (pg_dump, mongodump, redis-cli…)',
    endpointKind: 'ssh',
    everyEndpoint: true,
    args: z.object({ command: z.string().regex(/^[A-Za-z0-9._+-]{1,64}$/, 'a program name') }).strict(),
    async evaluate({ command }, ctx) {
      const r = await (await session(ctx)).exec(`command -v ${shq(command)}`, { timeoutMs: 15_000 })
      return { passed: r.code === 0, evidence: [r.code === 0 ? `${command} is ${r.stdout.trim()}` : `${command} is not installed (not on PATH)`] }
    },
  }),
  defineCondition({
    name: 'host.recent-file',
    summary: 'a file matching a pattern in a folder was written within maxAgeHours (a recent backup)',
    endpointKind: 'ssh',
    everyEndpoint: true,
    args: z
      .object({
        dir: AbsPath,
        pattern: z.string().regex(/^[A-Za-z0-9._*?-]{1,128}$/, 'a file name pattern (letters, digits, . _ - * ?)'),
        maxAgeHours: z.number().min(0).default(24),
      })
      .strict(),
    async evaluate({ dir, pattern, maxAgeHours }, ctx) {
      const minutes = Math.ceil(maxAgeHours * 60)
      const cmd = `${shellCommand('find', dir, '-maxdepth', '1', '-type', 'f', '-name', pattern, '-mmin', `-${minutes}`, '-printf', '%TY-%Tm-%Td %TH:%TM %s %f\\n')} 2>&1 | sort -r | head -n 3`
      const out = (await (await session(ctx)).exec(cmd, { timeoutMs: 15_000 })).stdout.trim()
      const found = out.split('\n').filter((l) => /^\d{4}-/.test(l))
      return {
        passed: found.length > 0,
        evidence: found.length
          ? found.map((l) => `${dir}: ${l}`)
          : [`no ${pattern} in ${dir} newer than ${maxAgeHours} h${out ? ` (${out.split('\n')[0]})` : ''}`],
      }
    },
  }),
  defineCondition({
    name: 'host.disk-free',
    summary: 'the file system holding a path has at least minFreePct free',
    endpointKind: 'ssh',
    everyEndpoint: true,
    args: z.object({ path: AbsPath.default('/'), minFreePct: z.number().min(0).max(100).default(20) }).strict(),
    async evaluate({ path, minFreePct }, ctx) {
      const out = await (await session(ctx)).run(shellCommand('df', '-P', '-k', path), { timeoutMs: 15_000 })
      const cols = out.trim().split('\n').at(-1)!.split(/\s+/)
      const size = Number(cols[1])
      const avail = Number(cols[3])
      if (!Number.isFinite(size) || size <= 0) return { passed: false, evidence: [`cannot read df for ${path}: ${out.trim()}`] }
      const freePct = (100 * avail) / size
      return {
        passed: freePct >= minFreePct,
        evidence: [
          `${path} on ${cols[5] ?? '?'}: ${freePct.toFixed(1)} % free (${(avail / 1048576).toFixed(1)} GiB of ${(size / 1048576).toFixed(1)} GiB), at least ${minFreePct} % wanted`,
        ],
      }
    },
  }),
]
