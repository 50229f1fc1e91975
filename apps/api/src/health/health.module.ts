import { type DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { ConnectionProbes } from '@wopi/health';
import { DependencyHealthIndicators, MIGRATIONS_DIR } from './health-indicators';
import { HealthController } from './health.controller';

@Module({})
export class HealthModule {
  static forRoot(migrationsDir: string): DynamicModule {
    return {
      module: HealthModule,
      // Terminus logs failed checks itself; our request log already records the 503.
      imports: [TerminusModule.forRoot({ errorLogStyle: 'json', logger: false })],
      controllers: [HealthController],
      providers: [ConnectionProbes, DependencyHealthIndicators, { provide: MIGRATIONS_DIR, useValue: migrationsDir }],
    };
  }
}
