export * from './load-env';
export * from './runtime.env';
export * from './sensitive.decorator';
export * from './core-app-client-settings';
