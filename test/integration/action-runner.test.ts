import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHandlers } from '../../src/main/app/handlers'
import type { ClientContext, Handlers } from '../../src/main/core/handler-types'
import type { ServiceHub } from '../../src/main/core/service-hub'
import type { ActionProgress } from '../../src/shared/actions'
import { labHub } from '../support/lab'

const client: ClientContext = { id: 'test', emit: () => undefined, onClose: () => undefined }

describe('an action end to end: plan → named confirmation → progress → verify → audit', () => {
  let hub: ServiceHub
  let handlers: Handlers
  const progress: ActionProgress[] = []

  beforeAll(async () => {
    const lab = await labHub()
    hub = lab.hub
    handlers = createHandlers(hub, {
      info: { mode: 'web', version: 'test', dataDir: lab.dataDir, secretBackend: { kind: 'keyfile' } },
      broadcastProgress: (p) => progress.push(p),
    })
  })
  afterAll(() => hub?.close())

  it('restarts a lab container only after the target is typed, and verifies it', async () => {
    const plan = await handlers['action:plan']({ kind: 'docker.restart', environment: 'lab', endpointId: 'docker', container: 'lab-api-3' }, client)
    expect(plan).toMatchObject({ target: 'lab-api-3', runnable: true, risk: 'medium' })
    expect(plan.steps[0]!.commands[0]).toMatch(/^POST \/containers\/[0-9a-f]{12}\/restart\?t=10$/)
    expect(await hub.audit.list()).toHaveLength(0)

    await expect(handlers['action:run']({ planId: plan.planId, confirm: 'lab-api-2' }, client)).rejects.toThrow(/type "lab-api-3"/)
    expect(await hub.audit.list()).toHaveLength(0)

    const result = await handlers['action:run']({ planId: plan.planId, confirm: 'lab-api-3' }, client)
    expect(result.outcome).toBe('succeeded')
    expect(result.verification.every((v) => v.passed)).toBe(true)
    expect(progress.filter((p) => p.planId === plan.planId).map((p) => p.message)).toEqual(
      expect.arrayContaining(['restart lab-api-3', 'verifying', 'succeeded']),
    )

    const audit = await hub.audit.list()
    expect(audit.map((a) => a.phase)).toEqual(['finished', 'started'])
    expect(audit[1]!.steps).toEqual(plan.steps)
    expect(audit[0]!.result?.outcome).toBe('succeeded')
    await expect(handlers['action:run']({ planId: plan.planId, confirm: 'lab-api-3' }, client)).rejects.toThrow(/unknown or expired/)
  })

  it('refuses to run, changing nothing, when the system cannot be read again after the confirmation', async () => {
    const plan = await handlers['action:plan']({ kind: 'docker.restart', environment: 'lab', endpointId: 'docker', container: 'lab-api-1' }, client)
    await hub.inventory.save(
      {
        ...(await hub.inventory.get('lab')),
        endpoints: (await hub.inventory.get('lab')).endpoints.map((e) =>
          e.id === 'docker' && e.kind === 'docker' ? { ...e, connection: { type: 'socket' as const, path: '/nonexistent.sock' } } : e,
        ),
      },
      {},
      'lab',
    )
    try {
      const before = (await hub.audit.list()).length
      await expect(handlers['action:run']({ planId: plan.planId, confirm: 'lab-api-1' }, client)).rejects.toThrow(
        /^nothing was changed: reading the system again before running failed: .*nonexistent\.sock/,
      )
      expect(await hub.audit.list()).toHaveLength(before)
      expect(hub.journal.list('lab')).toHaveLength(1)
    } finally {
      const lab = (await import('../support/lab')).labDescription()
      const { labEnvironment } = await import('../lab/lab-environment')
      await hub.inventory.save(labEnvironment(lab).environment, {}, 'lab')
    }
  })
})
