import { writeFileSync } from 'node:fs';
import { buildOpenApiDocument, serializeOpenApiDocument } from '../src/openapi/index.js';

/** Writes the committed OpenAPI document; `pnpm generate` runs it. */
const target = new URL('../openapi.json', import.meta.url);
writeFileSync(target, serializeOpenApiDocument(buildOpenApiDocument()));
process.stdout.write(`wrote ${target.pathname}\n`);
