export * from './connection-probes';
