import { type DynamicModule, Module } from '@nestjs/common';
import { WRITE_BACK_RELAY_INTERVAL_MS, WriteBackRelayService } from './write-back-relay.service';
import { WriteBackGaugesService } from './write-back-gauges.service';
import { WriteBackProcessor } from './write-back.processor';
import { WriteBackService } from './write-back.service';

/** Write-back jobs: the workflow, its processor and the outbox relay; the ledger and outbox come from FileRegistryModule. */
@Module({})
export class WriteBackModule {
  static forRoot(relayIntervalMs: number): DynamicModule {
    return {
      module: WriteBackModule,
      providers: [
        WriteBackService,
        WriteBackProcessor,
        WriteBackRelayService,
        WriteBackGaugesService,
        { provide: WRITE_BACK_RELAY_INTERVAL_MS, useValue: relayIntervalMs },
      ],
    };
  }
}
