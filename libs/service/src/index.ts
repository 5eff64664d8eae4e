export { serviceConfigFrom, type ServiceConfig, type ServiceDefaults } from './config';
export { serviceHttp } from './http';
export { createServiceRuntime, type ServiceRuntime } from './runtime';
export { startService, type StartedService } from './start';
