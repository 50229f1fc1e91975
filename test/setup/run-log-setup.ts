// Jest globalSetup of the whole run (jest.config.js, every project): makes the run's log directory
// and has every Node process started from now on copy its stdout and stderr there
// (run-log-tee.cjs), so run-log-check.ts can look for secrets in all of it once the run ends.
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { saveRunLogState } from './run-log-state';

const REPO_ROOT = path.resolve(__dirname, '../..');
/** Under .local/ (git ignores it); the last few runs stay there for a look after the fact. */
export const RUN_LOG_ROOT = path.join(REPO_ROOT, '.local', 'test-runs');
const RUNS_KEPT = 3;
const TEE = path.join(__dirname, 'run-log-tee.cjs');

export default function runLogSetup(): void {
  pruneOldRuns();
  const name = `${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}-${process.pid}`;
  const dir = path.join(RUN_LOG_ROOT, name);
  mkdirSync(path.join(dir, 'otlp'), { recursive: true });
  saveRunLogState({ dir, startedAt: Date.now() });
  // Jest starts its workers after the global setup, so they and everything they start inherit these.
  process.env.WOPI_TEST_RUN_LOG_DIR = dir;
  // JSON.stringify quotes the path the way NODE_OPTIONS parses it (a clone's path may have spaces).
  const preload = `--require ${JSON.stringify(TEE)}`;
  const options = process.env.NODE_OPTIONS ?? '';
  if (!options.includes(TEE)) process.env.NODE_OPTIONS = `${options} ${preload}`.trim();
  // Tests that Jest runs in band run here, in its own process, which started before NODE_OPTIONS
  // named the tee: install it for the apps those tests build.
  (globalThis as Record<symbol, unknown>)[Symbol.for('wopi-gateway.run-log-tee.jest-process')] = true;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- plain CommonJS, read at run time
  (require(TEE) as { installInJestProcess(): void }).installInJestProcess();
}

/** Keeps the newest runs only (names start with a UTC timestamp, so they sort by age). */
function pruneOldRuns(): void {
  let names: string[];
  try {
    names = readdirSync(RUN_LOG_ROOT).sort();
  } catch {
    return;
  }
  for (const old of names.slice(0, Math.max(0, names.length - (RUNS_KEPT - 1))))
    rmSync(path.join(RUN_LOG_ROOT, old), { recursive: true, force: true });
}
