export * from './jobs.module';
export * from './queue-names';
