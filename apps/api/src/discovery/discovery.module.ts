import { type DynamicModule, Module } from '@nestjs/common';
import { DiscoveryCacheStore } from './discovery-cache.store';
import { DiscoveryClient } from './discovery.client';
import { DiscoveryService } from './discovery.service';
import { DISCOVERY_SETTINGS, type DiscoverySettings } from './discovery-settings';
import { EditorActionService } from './editor-action.service';

/** WOPI discovery per client profile (global: sessions, the host page and the proof-key check use it). */
@Module({})
export class DiscoveryModule {
  static forRoot(settings: DiscoverySettings): DynamicModule {
    return {
      module: DiscoveryModule,
      global: true,
      providers: [
        { provide: DISCOVERY_SETTINGS, useValue: settings },
        DiscoveryClient,
        DiscoveryCacheStore,
        DiscoveryService,
        EditorActionService,
      ],
      exports: [DiscoveryService, EditorActionService],
    };
  }
}
