import { spawn } from 'node:child_process';
import { ConversionError } from '../conversion.error';
import type { SofficeExit } from './soffice-command';

export interface SofficeRun extends SofficeExit {
  timedOut: boolean;
}

export interface SofficeRunOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
}

// Enough of the output to explain a failure; a run that prints megabytes must not grow memory.
const MAX_OUTPUT_CHARS = 16 * 1024;
// After the group was killed, the pipes close at once unless something outside the group holds
// them; then they are closed from this side so the run still ends.
const PIPE_CLOSE_GRACE_MS = 2_000;

// Process groups of the LibreOffice runs in progress in this Node process.
const runningGroups = new Set<number>();

function killGroup(groupId: number): void {
  try {
    process.kill(-groupId, 'SIGKILL');
  } catch {
    // ESRCH: the whole group is gone already, which is the goal.
  }
}

// The soffice processes are detached (their own process group, so a timeout can kill all of
// them), which also means they would outlive this process. If it exits with runs in progress
// (shutdown grace exceeded, a fatal error), they are killed on the way out. 'exit' listeners
// must be synchronous; process.kill is.
function killRunningGroups(): void {
  runningGroups.forEach(killGroup);
}

function track(groupId: number): void {
  if (runningGroups.size === 0) process.on('exit', killRunningGroups);
  runningGroups.add(groupId);
}

function untrack(groupId: number): void {
  runningGroups.delete(groupId);
  if (runningGroups.size === 0) process.off('exit', killRunningGroups);
}

/**
 * Runs one soffice process in a process group of its own and resolves when every process of the
 * group is gone. `soffice` is a launcher script that starts `oosplash`, which starts
 * `soffice.bin`; killing only the direct child would leave the real office process running, so
 * the timeout (and the clean-up after a normal end) kills the whole group.
 */
export function runSoffice(binary: string, args: readonly string[], options: SofficeRunOptions): Promise<SofficeRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const groupId = child.pid;
    let output = '';
    let timedOut = false;
    let settled = false;
    let pipeGuard: NodeJS.Timeout | undefined;

    const collect = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-MAX_OUTPUT_CHARS);
    };
    const stop = () => {
      if (groupId === undefined) return;
      killGroup(groupId);
      pipeGuard ??= setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
      }, PIPE_CLOSE_GRACE_MS);
    };
    const finish = (settle: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(pipeGuard);
      if (groupId !== undefined) {
        // The launcher exits only after the office process did; anything still in the group
        // now is a straggler.
        killGroup(groupId);
        untrack(groupId);
      }
      settle();
    };

    if (groupId !== undefined) track(groupId);
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const timer = setTimeout(() => {
      timedOut = true;
      stop();
    }, options.timeoutMs);
    // The launcher is done: whatever else is left in its group goes now, so the pipes close.
    child.once('exit', stop);
    child.once('error', (error) =>
      finish(() => reject(ConversionError.converterUnavailable(`cannot start ${binary}: ${error.message}`))),
    );
    // 'close', not 'exit': both pipes are drained, so no output line is lost.
    child.once('close', (exitCode, signal) => finish(() => resolve({ exitCode, signal, timedOut, output })));
  });
}
