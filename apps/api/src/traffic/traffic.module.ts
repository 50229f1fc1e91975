import { Module } from '@nestjs/common';
import { EditorSessionsGauge } from './editor-sessions-gauge.service';
import { TrafficRecorder } from './traffic-recorder.service';

/**
 * The roll-out traffic records the api writes (the report reads them: traffic-report.ts) and the
 * active editor sessions gauge.
 */
@Module({ providers: [TrafficRecorder, EditorSessionsGauge], exports: [TrafficRecorder] })
export class TrafficModule {}
