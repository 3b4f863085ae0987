import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { z } from 'zod'
import { ActionRequest } from '../../../shared/action-requests'
import { Procedure, stepType, type ProcedureInfo } from '../../../shared/procedures'
import type { ConditionDefinition } from '../../core/conditions'
import { SwitchyardError } from '../../core/errors'
import { writeFileAtomic } from '../../core/json-file'
import { parseYaml } from '../../core/yaml-parse'
import appRollingRestart from './library/app-rolling-restart.yaml?raw'
import mongoBalancerWindow from './library/mongo-balancer-window.yaml?raw'
import pgSwitchover from './library/pg-switchover.yaml?raw'
import preMigrationBackup from './library/pre-migration-backup.yaml?raw'
import redisMasterFailover from './library/redis-master-failover.yaml?raw'
import redisScaleOut from './library/redis-scale-out.yaml?raw'
import scalingChecklist from './library/scaling-checklist.yaml?raw'

const BUILT_IN = [redisMasterFailover, redisScaleOut, pgSwitchover, mongoBalancerWindow, appRollingRestart, preMigrationBackup, scalingChecklist]

const ACTION_KINDS = new Set<string>(ActionRequest.options.map((o) => o.shape.kind.value))

/**
 * The procedures a user can run: the built-ins and the YAML files in the data folder's
 * procedures/ (which may not reuse a built-in's name). Validation names the line and reason of
 * every problem, including a check or action the app does not know.
 */
export class ProcedureLibrary {
  private readonly schema

  constructor(
    private readonly dataDir: string,
    conditions: ReadonlyMap<string, ConditionDefinition>,
  ) {
    this.schema = Procedure.superRefine((p, ctx) => {
      p.steps.forEach((s, i) => {
        const type = stepType(s)
        if (type === 'action' && 'action' in s && !ACTION_KINDS.has(s.action))
          ctx.addIssue({ code: 'custom', path: ['steps', i, 'action'], message: `no action named ${s.action} (known: ${[...ACTION_KINDS].join(', ')})` })
        const condition = 'check' in s ? s.check : 'wait' in s ? s.wait : 'done_when' in s ? s.done_when?.check : undefined
        const key = 'check' in s ? 'check' : 'wait' in s ? 'wait' : 'done_when'
        if (condition !== undefined && !conditions.has(condition))
          ctx.addIssue({ code: 'custom', path: ['steps', i, key], message: `no check named ${condition} (known: ${[...conditions.keys()].join(', ')})` })
      })
    })
  }

  private get folder(): string {
    return join(this.dataDir, 'procedures')
  }

  parse(yaml: string): Procedure {
    return parseYaml(yaml, this.schema, 'a valid procedure')
  }

  /** Every problem of a procedure file, each with its line; empty when it is valid. */
  validate(yaml: string): string[] {
    try {
      this.parse(yaml)
      return []
    } catch (err) {
      if (err instanceof SwitchyardError) return err.message.split('\n').map((l) => l.trim())
      throw err
    }
  }

  private info(yaml: string, source: ProcedureInfo['source'], fallbackName: string): ProcedureInfo {
    try {
      const p = this.parse(yaml)
      return { name: p.name, title: p.title, description: p.description, source, yaml, params: p.params, steps: p.steps.length, errors: [] }
    } catch (err) {
      const errors = err instanceof SwitchyardError ? err.message.split('\n').map((l) => l.trim()) : [String(err)]
      return { name: fallbackName, title: fallbackName, description: '', source, yaml, params: [], steps: 0, errors }
    }
  }

  async list(): Promise<ProcedureInfo[]> {
    const builtIn = BUILT_IN.map((y) => this.info(y, 'built-in', 'built-in'))
    const files = await readdir(this.folder).catch(() => [] as string[])
    const own = await Promise.all(
      files.filter((f) => f.endsWith('.yaml')).map(async (f) => this.info(await readFile(join(this.folder, f), 'utf8'), 'file', f.replace(/\.yaml$/, ''))),
    )
    return [...builtIn, ...own.filter((o) => !builtIn.some((b) => b.name === o.name))]
  }

  async get(name: string): Promise<{ procedure: Procedure; yaml: string }> {
    const found = (await this.list()).find((p) => p.name === name)
    if (!found) throw new SwitchyardError('config', `no procedure named ${name}`)
    if (found.errors.length) throw new SwitchyardError('config', `procedure ${name} does not validate:\n${found.errors.join('\n')}`)
    return { procedure: this.parse(found.yaml), yaml: found.yaml }
  }

  /** Validate and write procedures/<name>.yaml; a problem refuses it and nothing is written. */
  async save(yaml: string): Promise<ProcedureInfo> {
    const p = this.parse(yaml)
    if (BUILT_IN.some((b) => this.info(b, 'built-in', '').name === p.name))
      throw new SwitchyardError('config', `${p.name} is a built-in procedure: give your copy another name`)
    await writeFileAtomic(join(this.folder, `${p.name}.yaml`), yaml)
    return this.info(yaml, 'file', p.name)
  }
}

/** Parameters as given, checked against the procedure's: every one without a default is required. */
export function resolveParams(p: Procedure, given: Record<string, string | number>): Record<string, string | number> {
  const unknown = Object.keys(given).filter((k) => !p.params.some((x) => x.name === k))
  if (unknown.length) throw new SwitchyardError('config', `${p.name} has no parameter ${unknown.join(', ')}`)
  const out: Record<string, string | number> = {}
  for (const param of p.params) {
    const v = given[param.name] ?? param.default
    if (v === undefined || v === '')
      throw new SwitchyardError('config', `${p.name} needs ${param.name}: ${param.label}${param.example ? ` (e.g. ${param.example})` : ''}`)
    if (param.type === 'number' && !z.coerce.number().safeParse(v).success) throw new SwitchyardError('config', `${param.name} must be a number`)
    if (param.type === 'hostport' && !/^.+:\d{1,5}$/.test(String(v))) throw new SwitchyardError('config', `${param.name} must be host:port`)
    out[param.name] = param.type === 'number' ? Number(v) : v
  }
  return out
}
