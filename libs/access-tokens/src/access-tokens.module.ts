import { type DynamicModule, Module } from '@nestjs/common';
import { ACCESS_TOKEN_KEYS, type AccessTokenKeys, AccessTokenService } from './access-token.service';
import { EditorSessionStore } from './editor-session.store';
import { LaunchTicketStore } from './launch-ticket.store';
import { RevocationStore } from './revocation.store';

@Module({})
export class AccessTokensModule {
  static forRoot(keys: AccessTokenKeys): DynamicModule {
    return {
      module: AccessTokensModule,
      global: true,
      providers: [
        { provide: ACCESS_TOKEN_KEYS, useValue: keys },
        AccessTokenService,
        LaunchTicketStore,
        EditorSessionStore,
        RevocationStore,
      ],
      exports: [AccessTokenService, LaunchTicketStore, EditorSessionStore, RevocationStore],
    };
  }
}
