import { createRequire } from 'node:module';
import path from 'node:path';
import express, { type NextFunction, type Request, type Response } from 'express';

export const DOCS_ASSETS_PATH = '/docs/assets';

/** The files of swagger-ui-dist the page loads; nothing else of the package is served. */
const ASSETS = new Set(['/swagger-ui.css', '/swagger-ui-bundle.js', '/favicon-32x32.png', '/favicon-16x16.png']);
const SWAGGER_UI_DIR = path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
const serveAsset = express.static(SWAGGER_UI_DIR, { index: false, redirect: false, maxAge: '1h' });

/** Starts Swagger UI; a file of its own (not inline) so the page's CSP can forbid inline scripts. */
const INIT_SCRIPT_PATH = '/docs-init.js';
const INIT_SCRIPT = `window.ui = SwaggerUIBundle({
  url: '/openapi.json',
  dom_id: '#reference',
  deepLinking: true,
  displayOperationId: true,
  docExpansion: 'list',
  defaultModelsExpandDepth: 0,
  validatorUrl: null,
});
`;

/**
 * The page's Content-Security-Policy: its own scripts only, no inline script; Swagger UI sets
 * inline styles and shows data: images, and it fetches /openapi.json from this origin.
 */
export const DOCS_CSP: Record<string, string[]> = {
  'default-src': ["'none'"],
  'script-src': ["'self'"],
  'style-src': ["'self'", "'unsafe-inline'"],
  'img-src': ["'self'", 'data:'],
  'connect-src': ["'self'"],
  'base-uri': ["'none'"],
  'form-action': ["'none'"],
  'frame-ancestors': ["'none'"],
};

/** Serves the reference page's scripts and styles from node_modules: no CDN, works offline. */
export function docsAssets(req: Request, res: Response, next: NextFunction): void {
  if (req.path === INIT_SCRIPT_PATH) res.type('js').send(INIT_SCRIPT);
  else if (ASSETS.has(req.path)) serveAsset(req, res, next);
  else next();
}

/**
 * The reference page: Swagger UI reading `/openapi.json`. The validator badge is off, since it
 * would send the document to a public service.
 */
export const DOCS_PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>Apps API reference</title>
    <link rel="icon" type="image/png" sizes="32x32" href="${DOCS_ASSETS_PATH}/favicon-32x32.png">
    <link rel="stylesheet" href="${DOCS_ASSETS_PATH}/swagger-ui.css">
  </head>
  <body>
    <div id="reference"></div>
    <script src="${DOCS_ASSETS_PATH}/swagger-ui-bundle.js"></script>
    <script src="${DOCS_ASSETS_PATH}${INIT_SCRIPT_PATH}"></script>
  </body>
</html>
`;
