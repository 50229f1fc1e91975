export * from './egress-axios';
export * from './egress-policy';
