export * from './graceful-shutdown';
export * from './idle-connections';
export * from './logger-options';
export * from './start-telemetry';
