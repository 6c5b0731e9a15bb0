import { contract } from '@apps-api/contract';
import { createExpressEndpoints } from '@ts-rest/express';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { authenticate } from './common/auth.js';
import { errorHandler, notFound } from './common/http-errors.js';
import { jsonBody } from './common/json-body.js';
import { type Logger, accessLog } from './common/logger.js';
import { type Runtime, withEntityManager } from './common/request-context.js';
import { requestId } from './common/request-id.js';
import { apikeyRoutes } from './modules/apikey/apikey.routes.js';
import { appRoutes } from './modules/app/app.routes.js';
import { DOCS_ASSETS_PATH, docsAssets } from './modules/docs/docs.page.js';
import { docsRoutes } from './modules/docs/docs.routes.js';
import { healthRoutes } from './modules/health/health.routes.js';
import { organizationRoutes } from './modules/org/org.routes.js';

export interface AppDeps {
  runtime: Runtime;
  logger: Logger;
}

// Validation errors go on to the one error handler instead of ts-rest's own answer.
const passValidationErrors = (error: unknown, _req: Request, _res: Response, next: NextFunction) => next(error);

/** Builds the express app: middleware, the contract's endpoints, the error envelope. No listen. */
export function createApp({ runtime, logger }: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.use(requestId);
  app.use(accessLog(logger));

  createExpressEndpoints(contract.health, healthRoutes(runtime), app, {
    logInitialization: false,
    requestValidationErrorHandler: passValidationErrors,
  });
  createExpressEndpoints(contract.docs, docsRoutes, app, {
    logInitialization: false,
    requestValidationErrorHandler: passValidationErrors,
  });
  app.use(DOCS_ASSETS_PATH, docsAssets);
  createExpressEndpoints(contract.app, appRoutes, app, {
    logInitialization: false,
    globalMiddleware: [withEntityManager(runtime), authenticate, jsonBody],
    requestValidationErrorHandler: passValidationErrors,
  });
  createExpressEndpoints(contract.organization, organizationRoutes, app, {
    logInitialization: false,
    globalMiddleware: [withEntityManager(runtime), authenticate, jsonBody],
    requestValidationErrorHandler: passValidationErrors,
  });
  createExpressEndpoints(contract.apikey, apikeyRoutes, app, {
    logInitialization: false,
    globalMiddleware: [withEntityManager(runtime), authenticate, jsonBody],
    requestValidationErrorHandler: passValidationErrors,
  });

  app.use(notFound);
  app.use(errorHandler(logger));
  return app;
}
