/** What run-log-setup.ts hands to run-log-check.ts; Jest runs both in its main process. */
export interface RunLogState {
  /** The run's log directory: one file per process, OTLP exports under otlp/. */
  dir: string;
  startedAt: number;
}

const STATE_KEY = Symbol.for('wopi-gateway.run-log');

type GlobalWithState = typeof globalThis & { [STATE_KEY]?: RunLogState };

export function saveRunLogState(state: RunLogState): void {
  (globalThis as GlobalWithState)[STATE_KEY] = state;
}

export function takeRunLogState(): RunLogState | undefined {
  const holder = globalThis as GlobalWithState;
  const state = holder[STATE_KEY];
  delete holder[STATE_KEY];
  return state;
}
