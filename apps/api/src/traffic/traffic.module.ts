import { Module } from '@nestjs/common';
import { TrafficRecorder } from './traffic-recorder.service';

/** The roll-out traffic records the api writes (the report reads them: traffic-report.ts). */
@Module({ providers: [TrafficRecorder], exports: [TrafficRecorder] })
export class TrafficModule {}
