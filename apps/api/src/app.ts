import { contract } from '@apps-api/contract';
import { createExpressEndpoints } from '@ts-rest/express';
import express, { type Express, type NextFunction } from 'express';
import { authenticate } from './modules/apikey/apikey.auth.js';
import { errorHandler, notFound } from './common/http-errors.js';
import { jsonBody } from './common/json-body.js';
import { useJsonWriter } from './common/json-response.js';
import { type Logger, accessLog } from './common/logger.js';
import { failedAuthRateLimit, requestRateLimit } from './common/rate-limit.js';
import { type Runtime, withEntityManager, withQuotas } from './common/request-context.js';
import { requestId } from './common/request-id.js';
import { apikeyRoutes } from './modules/apikey/apikey.routes.js';
import { corsPolicy, securityHeaders } from './common/security.js';
import { type Config, loadConfig } from './config.js';
import { appRoutes } from './modules/app/app.routes.js';
import { bundleRoutes } from './modules/bundle/bundle.routes.js';
import { channelRoutes } from './modules/channel/channel.routes.js';
import { deviceRoutes } from './modules/device/device.routes.js';
import { DOCS_ASSETS_PATH, docsAssets } from './modules/docs/docs.page.js';
import { docsRoutes } from './modules/docs/docs.routes.js';
import { healthRoutes } from './modules/health/health.routes.js';
import { organizationRoutes } from './modules/org/org.routes.js';
import { DeviceRateLimit } from './modules/plugin/device-rate-limit.js';
import { updatesFastPath } from './modules/plugin/plugin.fast-path.js';
import { mountPluginRoutes } from './modules/plugin/plugin.routes.js';
import { DeviceTelemetry } from './jobs/device-telemetry.js';
import { statisticsRoutes } from './modules/stats/stats.routes.js';
import { filesRoutes } from './storage/files.routes.js';

/** The settings buildApp reads; main passes the whole Config. */
export type AppSettings = Pick<
  Config,
  | 'RATE_LIMIT_PER_MINUTE'
  | 'RATE_LIMIT_PER_USER_PER_MINUTE'
  | 'RATE_LIMIT_FAILED_AUTH'
  | 'CORS_ORIGINS'
  | 'TRUST_PROXY'
  | 'MAX_KEYS_PER_USER'
  | 'MAX_ORGS_PER_USER'
  | 'MAX_MEMBERS_PER_ORG'
  | 'MAX_PENDING_INVITATIONS_PER_ORG'
  | 'BUNDLE_MAX_BYTES'
  | 'DEVICE_RATE_LIMIT_PER_MINUTE'
>;

export interface AppDeps {
  runtime: Runtime;
  logger: Logger;
  /** Missing fields take config.ts's defaults. */
  settings?: Partial<AppSettings>;
  /**
   * Where device routes queue their telemetry. main.ts passes its own, stopped (flushed) on shutdown;
   * without one, the app makes one that flushes every second.
   */
  telemetry?: DeviceTelemetry;
}

function startedTelemetry(runtime: Runtime, logger: Logger): DeviceTelemetry {
  const telemetry = new DeviceTelemetry(runtime, logger);
  telemetry.start();
  return telemetry;
}

// Validation errors go on to the one error handler instead of ts-rest's own answer.
const passValidationErrors = (error: unknown, _req: unknown, _res: unknown, next: NextFunction) => next(error);

/** Builds the express app: middleware, the contract's endpoints, the error envelope. No listen. */
export function buildApp({ runtime, logger, settings = {}, telemetry }: AppDeps): Express {
  const config: AppSettings = { ...loadConfig({}), ...settings };
  const deviceTelemetry = telemetry ?? startedTelemetry(runtime, logger);
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  useJsonWriter(app);
  // Only these addresses' X-Forwarded-For is believed; with none, req.ip is the socket's address.
  app.set('trust proxy', config.TRUST_PROXY.length > 0 ? config.TRUST_PROXY : false);

  app.use(requestId);
  app.use(accessLog(logger));
  const security = securityHeaders();
  app.use(security.middleware);
  app.use(corsPolicy(config.CORS_ORIGINS));

  const limitFailedAuth = failedAuthRateLimit(runtime, config.RATE_LIMIT_FAILED_AUTH);
  /** Every authenticated route: database, key (failures limited per IP), the key's and its user's limits, JSON body. */
  const authenticated = [
    withEntityManager(runtime),
    limitFailedAuth(authenticate),
    requestRateLimit(
      runtime,
      config.RATE_LIMIT_PER_MINUTE,
      config.RATE_LIMIT_PER_USER_PER_MINUTE ?? config.RATE_LIMIT_PER_MINUTE,
    ),
    jsonBody,
    withQuotas(config),
  ];

  // Every router mounts the same way: validation errors go on to the one error handler; the
  // management routers also authenticate, limit and read the JSON body.
  const open = { logInitialization: false, requestValidationErrorHandler: passValidationErrors };
  const keyed = { ...open, globalMiddleware: authenticated };
  createExpressEndpoints(contract.health, healthRoutes(runtime), app, open);
  createExpressEndpoints(contract.docs, docsRoutes, app, open);
  app.use(DOCS_ASSETS_PATH, docsAssets);
  const pluginDeps = {
    runtime,
    telemetry: deviceTelemetry,
    rateLimit: new DeviceRateLimit(config.DEVICE_RATE_LIMIT_PER_MINUTE),
  };
  mountPluginRoutes(app, pluginDeps, logger);
  // createHttpServer puts it in front of express: see plugin.fast-path.ts.
  app.locals.fastPath = updatesFastPath(pluginDeps, logger, security.headers, config.CORS_ORIGINS !== undefined);
  createExpressEndpoints(contract.app, appRoutes, app, keyed);
  createExpressEndpoints(contract.organization, organizationRoutes, app, keyed);
  createExpressEndpoints(contract.apikey, apikeyRoutes, app, keyed);
  createExpressEndpoints(contract.bundle, bundleRoutes(config.BUNDLE_MAX_BYTES), app, keyed);
  createExpressEndpoints(contract.channel, channelRoutes, app, keyed);
  createExpressEndpoints(contract.device, deviceRoutes, app, keyed);
  createExpressEndpoints(contract.statistics, statisticsRoutes, app, keyed);
  createExpressEndpoints(contract.files, filesRoutes(runtime), app, open);

  app.use(notFound);
  app.use(errorHandler(logger));
  return app;
}
