import { defineConfig } from 'vite';

// The Persian font is needed for the first paint: preload the two faces the CSS uses, so text is
// not laid out twice (a layout shift) when Vazirmatn replaces the fallback font.
function preloadFonts() {
  return {
    name: 'preload-fonts',
    apply: 'build',
    transformIndexHtml(html, ctx) {
      const fonts = Object.keys(ctx.bundle || {}).filter((f) => /Vazirmatn-(Regular|Bold)-.*\.woff2$/.test(f));
      return fonts.map((f) => ({
        tag: 'link',
        attrs: { rel: 'preload', href: `/${f}`, as: 'font', type: 'font/woff2', crossorigin: '' },
        injectTo: 'head',
      }));
    },
  };
}

// Preact's automatic JSX runtime through Vite's own transformer: no framework plugin needed.
export default defineConfig({
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  plugins: [preloadFonts()],
  build: { target: 'es2020', assetsInlineLimit: 0, reportCompressedSize: false },
  server: { proxy: { '/v1': 'http://127.0.0.1:8000' } },
});
