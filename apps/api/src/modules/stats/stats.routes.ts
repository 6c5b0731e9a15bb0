import { contract } from '@apps-api/contract';
import { initServer } from '@ts-rest/express';
import { emOf, principalOf } from '../../common/request-context.js';
import { getStatistics } from './stats.service.js';

const s = initServer();

export const statisticsRoutes = s.router(contract.statistics, {
  getStatistics: async ({ query, req }) => {
    const data = await getStatistics({
      em: emOf(req),
      principal: principalOf(req),
      appId: query.app_id,
      from: query.from,
      to: query.to,
    });
    return { status: 200, body: { data } };
  },
});
