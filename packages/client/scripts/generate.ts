import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { ensureJar, runGenerator } from './generator-jar.js';

/**
 * `pnpm generate` for this package: regenerates src/generated/ from packages/contract/openapi.json
 * with the openapi-generator version pinned in openapitools.json.
 */
const CLIENT_DIR = path.resolve(import.meta.dirname, '..');
const OUTPUT_DIR = path.join(CLIENT_DIR, 'src', 'generated');
const KEEP = new Set(['.openapi-generator-ignore']);

/** Empties the output folder so that a schema removed from the document leaves no stale file. */
function cleanOutput(): void {
  mkdirSync(OUTPUT_DIR, { recursive: true });
  for (const entry of readdirSync(OUTPUT_DIR)) {
    if (!KEEP.has(entry)) rmSync(path.join(OUTPUT_DIR, entry), { recursive: true, force: true });
  }
}

ensureJar(CLIENT_DIR);
cleanOutput();
runGenerator(CLIENT_DIR);
