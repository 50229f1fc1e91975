import { type DynamicModule, Module } from '@nestjs/common';
import { SessionApiKeyGuard } from '../session/session-api-key.guard';
import { ConversionController } from './conversion.controller';
import { CONVERSION_SETTINGS, ConversionService, type ConversionSettings } from './conversion.service';

/** The conversion part of the session API; queues, core-app client and tenancy come from their global modules. */
@Module({})
export class ConversionModule {
  static forRoot(settings: ConversionSettings): DynamicModule {
    return {
      module: ConversionModule,
      controllers: [ConversionController],
      providers: [ConversionService, SessionApiKeyGuard, { provide: CONVERSION_SETTINGS, useValue: settings }],
    };
  }
}
