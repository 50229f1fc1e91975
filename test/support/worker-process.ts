import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { baseTestEnv } from './gateway-env';

export interface WorkerProcess {
  process: ChildProcess;
  output: () => string;
  stop(): Promise<number | null>;
}

/**
 * A real worker process from the build, on the run's database, Redis and queue prefix. It counts
 * as started once it logs that it processes jobs, so `LOG_LEVEL` must be `info` or lower here.
 */
export async function startWorkerProcess(env: Record<string, string> = {}): Promise<WorkerProcess> {
  const child = spawn(process.execPath, [path.resolve(__dirname, '../../dist/apps/worker/src/main.js')], {
    env: { ...process.env, ...baseTestEnv(), LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + 30_000;
  while (!output.includes('wopi-worker processing jobs')) {
    if (child.exitCode !== null) throw new Error(`worker exited with ${child.exitCode}:\n${output}`);
    if (Date.now() > deadline) throw new Error(`worker not ready within 30 s:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    process: child,
    output: () => output,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}
