import { type DynamicModule, Module } from '@nestjs/common';
import { HostPageController } from './host-page.controller';
import { HOST_PAGE_SETTINGS, type HostPageModuleSettings } from './host-page-module-settings';
import { HostPageSettingsRepository } from './host-page-settings.repository';

/** The host page; tickets, files, tenants and discovery come from their global modules. */
@Module({})
export class HostPageModule {
  static forRoot(settings: HostPageModuleSettings): DynamicModule {
    return {
      module: HostPageModule,
      controllers: [HostPageController],
      providers: [HostPageSettingsRepository, { provide: HOST_PAGE_SETTINGS, useValue: settings }],
    };
  }
}
