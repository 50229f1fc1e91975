import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

/** What emit-one-of-each.cjs found set up in its process. */
export interface TelemetrySetUp {
  spanRecording: boolean;
  httpInstrumented: boolean;
  meterProvider: string;
}

/**
 * Runs emit-one-of-each.cjs (telemetry from the build) in a child process with `env` added to
 * this one's (minus any OTEL_* of this one), and resolves once it has flushed and exited.
 */
export async function emitOneOfEachInChild(env: Record<string, string> = {}): Promise<TelemetrySetUp> {
  const script = path.join(__dirname, 'emit-one-of-each.cjs');
  const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('OTEL_')));
  const { stdout } = await promisify(execFile)(process.execPath, [script], {
    env: { ...cleanEnv, ...env },
    timeout: 30_000,
  });
  return JSON.parse(stdout.trim().split('\n').pop()!) as TelemetrySetUp;
}
