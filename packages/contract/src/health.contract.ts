import { initContract } from '@ts-rest/core';
import { z } from 'zod';
import { ErrorBody } from './errors.js';

const c = initContract();

export const HealthStatus = z.object({ status: z.literal('ok') }).strict();

export const healthContract = c.router(
  {
    livez: {
      method: 'GET',
      path: '/livez',
      summary: 'Liveness',
      description: 'The process is up. Touches no database; needs no key.',
      responses: { 200: HealthStatus },
    },
    readyz: {
      method: 'GET',
      path: '/readyz',
      summary: 'Readiness',
      description:
        'The database answers. 503 while starting, while draining for shutdown, or when the database is unreachable. Needs no key.',
      responses: {
        200: HealthStatus,
        503: ErrorBody.describe('Not ready (`service_unavailable`).'),
      },
    },
  },
  { strictStatusCodes: true },
);
