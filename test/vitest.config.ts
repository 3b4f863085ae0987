import { defineConfig } from 'vitest/config'

/**
 * unit: pure logic, parallel. integration and e2e: real servers from the lab, one file at a time
 * because actions (failover, switchover, rebalance) change the shared lab.
 */
export default defineConfig({
  test: {
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results/vitest.json' },
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], testTimeout: 10_000, sequence: { groupOrder: 0 } } },
      {
        test: {
          name: 'integration',
          globalSetup: ['test/support/lab-global-setup.ts'],
          sequence: { groupOrder: 1 },
          include: ['test/integration/**/*.test.ts'],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'e2e',
          globalSetup: ['test/support/lab-global-setup.ts'],
          sequence: { groupOrder: 2 },
          include: ['test/e2e/**/*.spec.ts'],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
})
