import { defineConfig } from 'vite';

// The React UI (renderer/) is built to dist/renderer and served by the core over HTTP and in
// the Electron window alike.
export default defineConfig({
  root: 'renderer',
  base: './',
  build: { outDir: '../dist/renderer', emptyOutDir: true },
});
