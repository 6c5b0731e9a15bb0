/* tslint:disable */
/* eslint-disable */
export * from './AppApi.js';
export * from './DocsApi.js';
export * from './HealthApi.js';
