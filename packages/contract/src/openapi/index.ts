export { type BuildOptions, buildOpenApiDocument } from './build.js';

/** The committed form of the document: two-space JSON with a trailing newline. */
export function serializeOpenApiDocument(document: object): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}
