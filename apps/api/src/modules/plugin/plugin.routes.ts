import { DEVICE_BODY_LIMIT_BYTES, STATS_BODY_LIMIT_BYTES, contract } from '@apps-api/contract';
import express, { type Express, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { Logger } from '../../common/logger.js';
import { getChannel, listChannels, setChannel, unsetChannel } from './channel-self.service.js';
import type { PluginDeps } from './plugin.deps.js';
import { invalidJsonParseBody, pluginErrorHandler, pluginPayloadTooLarge } from './plugin.errors.js';
import { sendStats } from './stats.service.js';
import { checkForUpdate } from './updates.service.js';

const routes = contract.plugin;

/**
 * The body as JSON, whatever its content type (the plugin always sends JSON; Capgo does not check
 * the header). Bounded before parsing; an unreadable body is the plugin's 400, a larger one its 413.
 */
function jsonOf(limit: number): RequestHandler[] {
  const read = express.raw({ type: () => true, limit });
  return [
    (req, res, next) =>
      read(req, res, (error?: unknown) => {
        if ((error as { type?: string } | undefined)?.type === 'entity.too.large')
          return next(pluginPayloadTooLarge(limit));
        next(error);
      }),
    (req, _res, next) => {
      const bytes = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      try {
        req.body = JSON.parse(bytes.toString('utf8'));
        next();
      } catch {
        next(invalidJsonParseBody());
      }
    },
  ];
}

type Handler = (req: Request) => Promise<unknown> | unknown;

/** A thin handler: the service's answer is the 200 body; every failure goes to the plugin's error handler. */
const answer = (handler: Handler) => async (req: Request, res: Response, next: NextFunction) => {
  try {
    res.status(200).json(await handler(req));
  } catch (error) {
    next(error);
  }
};

const query = (req: Request) => req.query as Record<string, unknown>;

/**
 * The device routes (contract `plugin`), each ending in the plugin's own error handler, so the
 * plugin's answer shape and the management envelope never mix. Mounted on the app itself (not a
 * sub-router) so an unknown method still reaches the one 404.
 */
export function mountPluginRoutes(app: Express, deps: PluginDeps, logger: Logger): void {
  const onError = pluginErrorHandler(logger);
  const small = jsonOf(DEVICE_BODY_LIMIT_BYTES);
  const ok = answer(() => ({ status: 'ok' }));
  app.post(
    routes.checkForUpdate.path,
    small,
    answer((req) => checkForUpdate(deps, req.body)),
    onError,
  );
  app.get(routes.updatesStatus.path, ok);
  app.post(
    routes.sendStats.path,
    jsonOf(STATS_BODY_LIMIT_BYTES),
    answer((req) => sendStats(deps, req.body)),
    onError,
  );
  app.get(routes.statsStatus.path, ok);
  app.post(
    routes.setChannel.path,
    small,
    answer((req) => setChannel(deps, req.body)),
    onError,
  );
  app.put(
    routes.getChannel.path,
    small,
    answer((req) => getChannel(deps, req.body)),
    onError,
  );
  app.delete(
    routes.unsetChannel.path,
    answer((req) => unsetChannel(deps, query(req))),
    onError,
  );
  app.get(
    routes.listChannels.path,
    answer((req) => listChannels(deps, query(req))),
    onError,
  );
}
