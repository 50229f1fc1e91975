export * from './access-token-key-ring';
export * from './access-token.service';
export * from './access-tokens.module';
export * from './editor-session.store';
export * from './launch-ticket.store';
export * from './permissions';
export * from './revocation.store';
