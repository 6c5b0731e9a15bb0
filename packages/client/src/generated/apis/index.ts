/* tslint:disable */
/* eslint-disable */
export * from './ApikeyApi.js';
export * from './AppApi.js';
export * from './BundleApi.js';
export * from './ChannelApi.js';
export * from './DeviceApi.js';
export * from './DocsApi.js';
export * from './FilesApi.js';
export * from './HealthApi.js';
export * from './OrganizationApi.js';
export * from './PluginApi.js';
export * from './StatisticsApi.js';
