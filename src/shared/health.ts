import { z } from 'zod'
import { ActionRun } from './actions'

export const HealthStatus = z.enum(['ok', 'warn', 'critical', 'unknown'])
export type HealthStatus = z.infer<typeof HealthStatus>

/** What went wrong talking to a node, in the words a DBA needs; never carries a secret. */
export const ConnErrorCode = z.enum(['refused', 'timeout', 'dns', 'auth', 'hostkey-unknown', 'hostkey-changed', 'tls', 'closed', 'protocol', 'config', 'other'])
export type ConnErrorCode = z.infer<typeof ConnErrorCode>

export const HostKeyInfo = z.object({
  host: z.string(),
  port: z.number().int(),
  algorithm: z.string(),
  fingerprint: z.string(),
  previousFingerprint: z.string().optional(),
})
export type HostKeyInfo = z.infer<typeof HostKeyInfo>

export const ConnError = z.object({
  code: ConnErrorCode,
  message: z.string(),
  hostKey: HostKeyInfo.optional(),
})
export type ConnError = z.infer<typeof ConnError>

export const NodeHealth = z.object({
  id: z.string(),
  label: z.string(),
  role: z.string().optional(),
  status: HealthStatus,
  detail: z.string(),
  error: ConnError.optional(),
  metrics: z.record(z.string(), z.union([z.number(), z.string()])).default({}),
})
export type NodeHealth = z.infer<typeof NodeHealth>

export const SystemKind = z.enum(['ssh', 'redis', 'sentinel', 'mongo', 'postgres', 'pgbouncer', 'nginx', 'docker'])
export type SystemKind = z.infer<typeof SystemKind>

/** Something an endpoint's state says a DBA should look at, with the action that fixes it when there is one. */
export const Finding = z.object({
  severity: z.enum(['info', 'warn', 'critical']),
  message: z.string(),
  /** An ActionRequest kind and how to describe it. */
  fix: z.object({ kind: z.string(), label: z.string() }).optional(),
})
export type Finding = z.infer<typeof Finding>

export const EndpointFinding = Finding.extend({ endpointId: z.string(), endpointName: z.string(), system: SystemKind })
export type EndpointFinding = z.infer<typeof EndpointFinding>

export const SystemHealth = z.object({
  endpointId: z.string(),
  system: SystemKind,
  name: z.string(),
  status: HealthStatus,
  reason: z.string(),
  nodes: z.array(NodeHealth),
  notices: z.array(z.string()).default([]),
  checkedAt: z.number(),
  durationMs: z.number(),
})
export type SystemHealth = z.infer<typeof SystemHealth>

export const EnvironmentHealth = z.object({
  environment: z.string(),
  readOnly: z.boolean().optional(),
  status: HealthStatus,
  reason: z.string(),
  systems: z.array(SystemHealth),
  /** Actions whose process died mid-run: the environment is critical until each is resumed, rolled back or resolved. */
  interrupted: z.array(ActionRun).optional(),
  checkedAt: z.number(),
})
export type EnvironmentHealth = z.infer<typeof EnvironmentHealth>
