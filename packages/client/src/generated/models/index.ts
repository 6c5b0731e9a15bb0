/* tslint:disable */
/* eslint-disable */
export * from './App.js';
export * from './AppList.js';
export * from './CreateAppBody.js';
export * from './ErrorBody.js';
export * from './ErrorBodyDetails.js';
export * from './HealthStatus.js';
export * from './OpenApiDocument.js';
export * from './OpenApiDocumentInfo.js';
export * from './StatusOk.js';
export * from './TransferRecord.js';
export * from './UpdateAppBody.js';
export * from './ValidationIssue.js';
