export * from './core-app-client.module';
export * from './core-app-client.options';
export * from './core-app.client';
export * from './core-app.error';
export * from './core-app.types';
export * from './request-signing';
export * from './retry';
