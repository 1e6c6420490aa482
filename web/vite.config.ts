import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// In development the app runs on Vite (5173) and the API on 3000: the proxy keeps both on one
// origin, as in production where the API serves the built files itself.
const api = process.env.VITE_API_TARGET ?? 'http://localhost:3000';

export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  // hls.js (its own chunk, loaded only for a reel) is about 580 kB minified.
  build: { outDir: '../dist/web', emptyOutDir: true, sourcemap: true, chunkSizeWarningLimit: 650 },
  server: {
    port: 5173,
    proxy: {
      '/api': api,
      '/media': api,
      '/socket.io': { target: api, ws: true },
    },
  },
});
