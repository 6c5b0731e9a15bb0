// Bundles the server into dist/main.js for production: plain `node` starts it without compiling
// TypeScript at run time (tsx made start-up take seconds and held ~100 MB more memory).
// Packages from node_modules stay external; the workspace's own TypeScript packages are bundled in.
import { readFileSync } from 'node:fs';
import { build } from 'esbuild';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const external = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies }).filter(
  (name) => !pkg.dependencies[name]?.startsWith('workspace:'),
);

// `node scripts/build.mjs <outdir>`: another folder than dist/ (the bundle test builds into a temporary one).
const outdir = process.argv[2] ?? 'dist';

await build({
  absWorkingDir: new URL('..', import.meta.url).pathname,
  // The server, and the CLIs an image needs without TypeScript at run time: dist/cli/migrate.js, dist/cli/admin.js.
  entryPoints: ['src/main.ts', 'src/cli/migrate.ts', 'src/cli/admin.ts'],
  outbase: 'src',
  outdir,
  // Bundled CommonJS (the OpenAPI emitter) requires its external packages at run time: give it a require.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external,
  sourcemap: 'linked',
  logLevel: 'warning',
});
