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
      { filename: src('main/systems/sentinel/sentinel-client.ts'), code: "import { Redis } from 'ioredis'" },
      {
        filename: src('main/app/handlers.ts'),
        code: "import { systems } from '../systems'; import { probeEnvironment } from '../features/overview/probe-environment'",
      },
      { filename: src('main/app/desktop/electron-main.ts'), code: "import { app } from 'electron'" },
      { filename: src('main/index.ts'), code: "import { fileURLToPath } from 'node:url'; import { startElectronApp } from './app/desktop/electron-main'" },
      { filename: src('preload/index.ts'), code: "import { contextBridge } from 'electron'; import { Channels } from '../shared/contract'" },
      {
        filename: src('main/features/procedures/engine.ts'),
        code: "import { systems } from '../../systems'; import { createActionRunner } from '../actions/runner'; import { x } from '../../core/errors'",
      },
      { filename: src('main/systems/mongo/mongo-reader.ts'), code: "const m = await import('./mongo-bounds')" },
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
      { filename: src('main/systems/postgres/postgres-ops.ts'), code: "import { Redis } from 'ioredis'", errors: 1 },
      { filename: src('main/systems/sentinel/sentinel-client.ts'), code: "import { pollUntil } from '../redis/cluster-ops'", errors: 1 },
      { filename: src('main/systems/redis/redis-cli.ts'), code: "import { createHandlers } from '../../app/handlers'", errors: 1 },
      { filename: src('main/core/service-hub.ts'), code: "import { systems } from '../systems'", errors: 1 },
      { filename: src('main/core/errors.ts'), code: "import { app } from 'electron'", errors: 1 },
      { filename: src('main/systems/docker/docker-client.ts'), code: "import pg from 'pg'", errors: 1 },
      // bare Node built-in names and Node-only packages in the renderer and the preload
      { filename: src('renderer/src/api.ts'), code: "import { readFile } from 'fs'", errors: 1 },
      { filename: src('renderer/src/api.ts'), code: "import { exec } from 'child_process'", errors: 1 },
      { filename: src('renderer/src/api.ts'), code: "import { readFile } from 'fs/promises'", errors: 1 },
      { filename: src('renderer/src/api.ts'), code: "import Database from 'better-sqlite3'", errors: 1 },
      { filename: src('renderer/src/api.ts'), code: "import { Redis } from 'ioredis'", errors: 1 },
      { filename: src('preload/index.ts'), code: "import WebSocket from 'ws'", errors: 1 },
      { filename: src('preload/index.ts'), code: "import { readFileSync } from 'fs'", errors: 1 },
      { filename: src('shared/health.ts'), code: "import { EventEmitter } from 'events'", errors: 1 },
      // electron only in the files that run inside Electron
      { filename: src('main/app/cli.ts'), code: "import { app } from 'electron'", errors: 1 },
      { filename: src('main/app/web-server.ts'), code: "import { app } from 'electron'", errors: 1 },
      { filename: src('main/app/exporter.ts'), code: "import { safeStorage } from 'electron'", errors: 1 },
      // dynamic imports and require() are checked too, and must name their module literally
      { filename: src('renderer/src/App.tsx'), code: "const m = await import('node:fs')", errors: 1 },
      { filename: src('renderer/src/App.tsx'), code: 'const name = "fs"; const m = await import(`${name}`)', errors: 1 },
      { filename: src('main/systems/redis/redis-cli.ts'), code: "const h = require('../../app/handlers')", errors: 1 },
      { filename: src('main/core/errors.ts'), code: 'const m = require(process.env.X)', errors: 1 },
      // features sit between the registry and the shells
      { filename: src('main/features/overview/overview-watcher.ts'), code: "import { createHandlers } from '../../app/handlers'", errors: 1 },
      { filename: src('main/features/alerts/environment-watch.ts'), code: "import { mongoService } from '../../systems/mongo/mongo-service'", errors: 1 },
      { filename: src('main/core/service-hub.ts'), code: "import { x } from '../features/alerts/environment-watch'", errors: 1 },
      { filename: src('main/systems/redis/redis-cli.ts'), code: "import { x } from '../../features/alerts/environment-watch'", errors: 1 },
    ],
  })

  tester.run('ipc-owners', ipcOwners, {
    valid: [{ filename: src('preload/index.ts'), code: "import { ipcRenderer } from 'electron'; ipcRenderer.invoke('x')" }],
    invalid: [{ filename: src('main/app/handlers.ts'), code: "import { ipcMain } from 'electron'", errors: 1 }],
  })
})
