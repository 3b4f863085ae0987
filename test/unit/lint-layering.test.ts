import { RuleTester } from 'eslint'
import { join } from 'node:path'
import { describe, it } from 'vitest'
import { ipcOwners, layering } from '../../eslint/layering.js'

RuleTester.describe = describe
RuleTester.it = it

const src = (p: string) => join(__dirname, '../../src', p)
const tester = new RuleTester({ languageOptions: { ecmaVersion: 2024, sourceType: 'module' } })

describe('the layering lint rule', () => {
  tester.run('layering', layering, {
    valid: [
      { filename: src('shared/systems/redis.ts'), code: "import { z } from 'zod'; import { Host } from '../primitives'" },
      {
        filename: src('main/systems/redis/redis-cli.ts'),
        code: "import { UsageError } from '../../core/cli'; import { Redis } from 'ioredis'; import x from './redis-watch'",
      },
      { filename: src('main/systems/sentinel/sentinel.ts'), code: "import { Redis } from 'ioredis'" },
      { filename: src('main/app/handlers.ts'), code: "import { systems } from '../systems'; import { app } from 'electron'" },
      { filename: src('main/core/ssh/ssh-session.ts'), code: "import { Client } from 'ssh2'; import { readFile } from 'node:fs/promises'" },
      { filename: src('renderer/src/App.tsx'), code: "import { api } from './api'; import { Host } from '../../shared/primitives'" },
    ],
    invalid: [
      { filename: src('shared/health.ts'), code: "import { x } from '../main/core/errors'", errors: 1 },
      { filename: src('shared/health.ts'), code: "import { readFile } from 'node:fs'", errors: 1 },
      { filename: src('shared/health.ts'), code: "import React from 'react'", errors: 1 },
      { filename: src('renderer/src/App.tsx'), code: "import { ServiceHub } from '../../main/core/service-hub'", errors: 1 },
      { filename: src('renderer/src/App.tsx'), code: "import { ipcRenderer } from 'electron'", errors: 1 },
      { filename: src('renderer/src/api.ts'), code: "import { join } from 'node:path'", errors: 1 },
      { filename: src('main/systems/postgres/pg-ops.ts'), code: "import { Redis } from 'ioredis'", errors: 1 },
      { filename: src('main/systems/sentinel/sentinel.ts'), code: "import { pollUntil } from '../redis/cluster-ops'", errors: 1 },
      { filename: src('main/systems/redis/redis-cli.ts'), code: "import { createHandlers } from '../../app/handlers'", errors: 1 },
      { filename: src('main/core/service-hub.ts'), code: "import { systems } from '../systems'", errors: 1 },
      { filename: src('main/core/errors.ts'), code: "import { app } from 'electron'", errors: 1 },
      { filename: src('main/systems/docker/docker-client.ts'), code: "import pg from 'pg'", errors: 1 },
    ],
  })

  tester.run('ipc-owners', ipcOwners, {
    valid: [{ filename: src('preload/index.ts'), code: "import { ipcRenderer } from 'electron'; ipcRenderer.invoke('x')" }],
    invalid: [{ filename: src('main/app/handlers.ts'), code: "import { ipcMain } from 'electron'", errors: 1 }],
  })
})
