import { type DynamicModule, Module } from '@nestjs/common';
import {
  CORE_APP_CLIENT_OPTIONS,
  type CoreAppClientOptions,
  DEFAULT_CORE_APP_CLIENT_OPTIONS,
} from './core-app-client.options';
import { CoreAppClient } from './core-app.client';

@Module({})
export class CoreAppClientModule {
  static forRoot(options: CoreAppClientOptions = DEFAULT_CORE_APP_CLIENT_OPTIONS): DynamicModule {
    return {
      module: CoreAppClientModule,
      global: true,
      providers: [{ provide: CORE_APP_CLIENT_OPTIONS, useValue: options }, CoreAppClient],
      exports: [CoreAppClient],
    };
  }
}
