import { contract } from '@apps-api/contract';
import { buildOpenApiDocument } from '@apps-api/contract/openapi';
import { initServer } from '@ts-rest/express';
import { withContentSecurityPolicy } from '../../common/security.js';
import { DOCS_CSP, DOCS_PAGE } from './docs.page.js';

const s = initServer();

let document: ReturnType<typeof buildOpenApiDocument> | undefined;

/** The same document as the committed openapi.json, built once on first request. */
function openApiDocument() {
  document ??= buildOpenApiDocument();
  return document;
}

export const docsRoutes = s.router(contract.docs, {
  getOpenApiDocument: async () => ({ status: 200, body: openApiDocument() }),
  getDocsPage: {
    middleware: [withContentSecurityPolicy(DOCS_CSP)],
    handler: async () => ({ status: 200, body: DOCS_PAGE }),
  },
});
