import { handOver } from './hand-over';

/** What run-log-setup.ts hands to run-log-check.ts; Jest runs both in its main process. */
export interface RunLogState {
  /** The run's log directory: one file per process, OTLP exports under otlp/. */
  dir: string;
  startedAt: number;
}

const state = handOver<RunLogState>('run-log');

export const saveRunLogState = state.save;
export const takeRunLogState = state.take;
