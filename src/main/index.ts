import { fileURLToPath } from 'node:url'
import { startElectronApp } from './app/electron-main'

// Paths are resolved here: this file is out/main/index.js, shared code may sit in another chunk.
startElectronApp({
  rendererUrl: process.env.ELECTRON_RENDERER_URL ?? new URL('../renderer/index.html', import.meta.url).href,
  preloadPath: fileURLToPath(new URL('../preload/index.cjs', import.meta.url)),
})
