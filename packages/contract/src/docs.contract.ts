import { initContract } from '@ts-rest/core';
import { z } from 'zod';

const c = initContract();

export const OpenApiInfo = z
  .object({ title: z.string(), version: z.string() })
  .passthrough()
  .describe("The document's `info`: title, version, licence, contact.");

export const OpenApiDocument = z
  .object({
    openapi: z.string().describe('OpenAPI version of the document.'),
    info: OpenApiInfo,
    paths: z.record(z.object({}).passthrough()),
  })
  .passthrough()
  .describe('This OpenAPI 3.0 document, emitted from the contract.');

export const docsContract = c.router(
  {
    getOpenApiDocument: {
      method: 'GET',
      path: '/openapi.json',
      summary: 'OpenAPI document',
      description:
        'The OpenAPI 3.0 document of this API, generated from the same contract the server validates requests with. Needs no key.',
      responses: { 200: OpenApiDocument },
    },
    getDocsPage: {
      method: 'GET',
      path: '/docs',
      summary: 'API reference page',
      description:
        'An HTML reference of this API rendered from `/openapi.json`. Its scripts and styles are served by the service itself under `/docs/assets/`, so it works offline. Needs no key.',
      responses: {
        200: c.otherResponse({
          contentType: 'text/html; charset=utf-8',
          body: z.string().describe('The HTML page.'),
        }),
      },
    },
  },
  { strictStatusCodes: true },
);
