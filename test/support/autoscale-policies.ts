/** CPU per replica the lab's load crosses (GET /work?ms=40, 3 at a time) and its idleness stays under. */
export const LAB_CPU = { up: 15, down: 6 } as const

/**
 * The YAML of policies in act mode on the lab's services: step 2 between min and min + 2, with
 * durations and cooldowns short enough that a test or a bench sees a whole cycle in a minute.
 */
export function labPolicies(...policies: { name: string; upstream: string; min: number }[]): string {
  return `policies:\n${policies
    .map(
      (p) => `  - name: ${p.name}
    endpoint: nginx
    upstream: ${p.upstream}
    mode: act
    min: ${p.min}
    max: ${p.min + 2}
    step: 2
    cooldownUp: 10s
    cooldownDown: 15s
    metrics:
      - { metric: cpu, up: ${LAB_CPU.up}, down: ${LAB_CPU.down}, upFor: 6s, downFor: 10s }
`,
    )
    .join('')}`
}
