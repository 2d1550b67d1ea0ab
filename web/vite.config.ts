import { defineConfig } from 'vite';

// The web board (`vite build web`: this folder is the root), served by the service itself under
// /app from web/dist; everything bundled, no CDN.
// Preact's JSX through Vite's own transformer (no plugin: one dependency less to keep).
export default defineConfig({
  base: '/app/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The CSP allows only same-origin scripts and styles: no inlined module preload polyfill.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    target: 'es2022',
  },
  server: { proxy: { '/v1': 'http://127.0.0.1:3000', '/app/session': 'http://127.0.0.1:3000' } },
});
