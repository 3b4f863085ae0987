import react from '@vitejs/plugin-react'
import { defineConfig } from 'electron-vite'
import { resolve } from 'node:path'

const mainInputs = {
  index: resolve(__dirname, 'src/main/index.ts'),
  web: resolve(__dirname, 'src/main/web.ts'),
  cli: resolve(__dirname, 'src/main/cli.ts'),
}

export default defineConfig({
  main: {
    build: {
      rollupOptions: { input: mainInputs },
    },
  },
  preload: {
    build: {
      rollupOptions: { input: { index: resolve(__dirname, 'src/preload/index.ts') }, output: { format: 'cjs', entryFileNames: '[name].cjs' } },
    },
  },
  renderer: {
    root: resolve(__dirname, 'src/renderer'),
    build: {
      rollupOptions: { input: { index: resolve(__dirname, 'src/renderer/index.html') } },
      // electron-vite leaves bundles unminified; the renderer's first view must stay small (bench/startup).
      minify: true,
      chunkSizeWarningLimit: 600,
    },
    plugins: [react()],
  },
})
