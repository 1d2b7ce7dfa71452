// The operator console's build: Preact + TypeScript, one small bundle in web/dist, served by the
// local runtime at / (infra/local/http-server.ts) and by CloudFront in AWS (infra/console-site.ts).
import { defineConfig, type Plugin } from 'vite';
import { gzipSync } from 'node:zlib';

/** The JS budget of issue 12 (gzipped); the build fails above it and prints the size every time. */
export const JS_BUDGET_GZIP_BYTES = 350 * 1024;

function reportGzipSize(): Plugin {
  return {
    name: 'oz-gzip-size',
    generateBundle(_options, bundle) {
      let js = 0;
      let css = 0;
      for (const file of Object.values(bundle)) {
        const code = file.type === 'chunk' ? file.code : typeof file.source === 'string' ? file.source : Buffer.from(file.source);
        const size = gzipSync(code).length;
        if (file.fileName.endsWith('.js')) js += size;
        else if (file.fileName.endsWith('.css')) css += size;
      }
      const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
      console.log(`\nconsole bundle, gzipped: JS ${kb(js)} (budget ${kb(JS_BUDGET_GZIP_BYTES)}), CSS ${kb(css)}`);
      if (js > JS_BUDGET_GZIP_BYTES) this.error(`the console's JS is ${kb(js)} gzipped, over the ${kb(JS_BUDGET_GZIP_BYTES)} budget`);
    },
  };
}

export default defineConfig({
  root: __dirname,
  base: '/',
  logLevel: 'warn',
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', sourcemap: false, chunkSizeWarningLimit: 600 },
  plugins: [reportGzipSize()],
  // `npm run web:dev`: hot reload on :5173, the API of a running `npm start` behind it.
  server: { proxy: Object.fromEntries(['/api', '/v1', '/docs', '/version'].map((p) => [p, process.env.OZ_API ?? 'http://127.0.0.1:8080'])) },
});
