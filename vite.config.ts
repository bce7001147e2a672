import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The React UI (renderer/) is built to dist/renderer and served by the core over HTTP and in
// the Electron window alike. Absolute base: the UI uses browser-history routes (/chargers/CP1),
// and a reload there must still find /assets/.
export default defineConfig({
  root: 'renderer',
  base: '/',
  plugins: [react()],
  build: { outDir: '../dist/renderer', emptyOutDir: true, chunkSizeWarningLimit: 1500 },
});
