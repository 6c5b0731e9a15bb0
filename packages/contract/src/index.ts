import { initContract } from '@ts-rest/core';
import { apikeyContract } from './apikey.contract.js';
import { appContract } from './app.contract.js';
import { docsContract } from './docs.contract.js';
import { healthContract } from './health.contract.js';
import { organizationContract } from './organization.contract.js';
import { pluginContract } from './plugin.contract.js';

export * from './apikey.contract.js';
export * from './app.contract.js';
export * from './common.js';
export * from './docs.contract.js';
export * from './errors.js';
export * from './health.contract.js';
export * from './organization.contract.js';
export * from './plugin.contract.js';

const c = initContract();

/** The whole HTTP surface: one router per resource. */
export const contract = c.router({
  app: appContract,
  organization: organizationContract,
  apikey: apikeyContract,
  health: healthContract,
  docs: docsContract,
  plugin: pluginContract,
});

export type Contract = typeof contract;
