import { initContract } from '@ts-rest/core';
import { apikeyContract } from './apikey.contract.js';
import { appContract } from './app.contract.js';
import { bundleContract } from './bundle.contract.js';
import { channelContract } from './channel.contract.js';
import { deviceContract } from './device.contract.js';
import { docsContract } from './docs.contract.js';
import { filesContract } from './files.contract.js';
import { healthContract } from './health.contract.js';
import { organizationContract } from './organization.contract.js';
import { pluginContract } from './plugin.contract.js';
import { statisticsContract } from './statistics.contract.js';

export * from './apikey.contract.js';
export * from './app.contract.js';
export * from './bundle.contract.js';
export * from './channel.contract.js';
export * from './common.js';
export * from './device.contract.js';
export * from './docs.contract.js';
export * from './errors.js';
export * from './files.contract.js';
export * from './health.contract.js';
export * from './live-update.common.js';
export * from './organization.contract.js';
export * from './plugin.contract.js';
export * from './statistics.contract.js';

const c = initContract();

/** The whole HTTP surface: one router per resource. */
export const contract = c.router({
  app: appContract,
  organization: organizationContract,
  apikey: apikeyContract,
  bundle: bundleContract,
  channel: channelContract,
  device: deviceContract,
  statistics: statisticsContract,
  files: filesContract,
  health: healthContract,
  docs: docsContract,
  plugin: pluginContract,
});

export type Contract = typeof contract;
