import { defineConfig } from 'vite';

// Preact's automatic JSX runtime through Vite's own transformer: no framework plugin needed.
export default defineConfig({
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: { target: 'es2020', assetsInlineLimit: 0, reportCompressedSize: false },
  server: { proxy: { '/v1': 'http://127.0.0.1:8000' } },
});
