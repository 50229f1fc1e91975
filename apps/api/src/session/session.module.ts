import { type DynamicModule, Module } from '@nestjs/common';
import { RevocationController } from './revocation.controller';
import { RevocationService } from './revocation.service';
import { SessionApiKeyGuard } from './session-api-key.guard';
import { SessionController } from './session.controller';
import { SESSION_SETTINGS, SessionService, type SessionSettings } from './session.service';

/** The session API; file registry, tokens, tenancy and discovery come from their global modules. */
@Module({})
export class SessionModule {
  static forRoot(settings: SessionSettings): DynamicModule {
    return {
      module: SessionModule,
      controllers: [SessionController, RevocationController],
      providers: [
        SessionService,
        RevocationService,
        SessionApiKeyGuard,
        { provide: SESSION_SETTINGS, useValue: settings },
      ],
    };
  }
}
