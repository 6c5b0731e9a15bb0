/* tslint:disable */
/* eslint-disable */
export * from './ApikeyApi.js';
export * from './AppApi.js';
export * from './DocsApi.js';
export * from './HealthApi.js';
export * from './OrganizationApi.js';
