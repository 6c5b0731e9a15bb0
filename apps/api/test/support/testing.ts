/**
 * What other packages' tests use to drive the real API (`@apps-api/api/testing`): the server
 * harness, the factories and the HTTP helper. Pair it with `@apps-api/api/testing/global-setup`.
 */
import type {} from './global-setup.js';

export * from './client.js';
export * from './factories.js';
export * from './harness.js';
export * from './plugin-client.js';
