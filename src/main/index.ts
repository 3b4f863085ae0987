import { app } from 'electron'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startElectronApp } from './app/desktop/electron-main'

// Paths are resolved here: this file is out/main/index.js, shared code may sit in another chunk.
startElectronApp({
  rendererDir: fileURLToPath(new URL('../renderer', import.meta.url)),
  devServerUrl: process.env.ELECTRON_RENDERER_URL,
  preloadPath: fileURLToPath(new URL('../preload/index.cjs', import.meta.url)),
  readmePath: app.isPackaged ? join(process.resourcesPath, 'README.md') : fileURLToPath(new URL('../../README.md', import.meta.url)),
})
