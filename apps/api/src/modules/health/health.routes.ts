import { contract } from '@apps-api/contract';
import { initServer } from '@ts-rest/express';
import type { Runtime } from '../../common/request-context.js';
import { errorBody } from '../../common/http-errors.js';
import { serviceUnavailable } from '../../common/errors.js';

const s = initServer();
const PING_TIMEOUT_MS = 2_000;

async function databaseAnswers(runtime: Runtime): Promise<boolean> {
  if (!runtime.orm) return false;
  const ping = runtime.orm.em.getConnection().execute('select 1');
  const timeout = new Promise<never>((_, reject) => {
    setTimeout(() => reject(new Error('ping timeout')), PING_TIMEOUT_MS).unref();
  });
  try {
    await Promise.race([ping, timeout]);
    return true;
  } catch {
    return false;
  }
}

export function healthRoutes(runtime: Runtime) {
  return s.router(contract.health, {
    livez: async () => ({ status: 200, body: { status: 'ok' as const } }),
    readyz: async ({ req }) => {
      if (runtime.state === 'ready' && (await databaseAnswers(runtime))) {
        return { status: 200, body: { status: 'ok' as const } };
      }
      return { status: 503, body: errorBody(serviceUnavailable(), req.ctx.requestId) };
    },
  });
}
