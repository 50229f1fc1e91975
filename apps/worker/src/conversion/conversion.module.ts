import { tmpdir } from 'node:os';
import path from 'node:path';
import { type DynamicModule, Module } from '@nestjs/common';
import { ConverterModule } from '@wopi/conversion';
import type { WorkerEnv } from '@wopi/tenancy';
import { ConversionProcessor } from './conversion.processor';
import { CONVERSION_WORKER_SETTINGS, ConversionService, type ConversionWorkerSettings } from './conversion.service';

/** Conversion jobs; core-app client, blob staging, file registry and tenancy come from their global modules. */
@Module({})
export class ConversionModule {
  static forRoot(env: WorkerEnv): DynamicModule {
    const settings: ConversionWorkerSettings = {
      timeoutMs: env.CONVERSION_TIMEOUT_MS,
      tempDir: path.resolve(env.CONVERSION_TEMP_DIR || tmpdir()),
      concurrency: env.CONVERSION_CONCURRENCY,
    };
    return {
      module: ConversionModule,
      imports: [ConverterModule.forRoot({ tempDir: settings.tempDir, sofficePath: env.SOFFICE_PATH || undefined })],
      providers: [ConversionService, ConversionProcessor, { provide: CONVERSION_WORKER_SETTINGS, useValue: settings }],
    };
  }
}
