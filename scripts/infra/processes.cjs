// @ts-check
'use strict';
/**
 * Child processes for the local infrastructure: run a command to completion, and tell whether a
 * server process is still alive or stop it. Node 20 built-ins only.
 */

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const { setTimeout: sleep } = require('node:timers/promises');

const EXIT_POLL_INTERVAL_MS = 50;

/**
 * @typedef {object} CommandResult
 * @property {number | null} code  exit code, null when a signal ended the command
 * @property {NodeJS.Signals | null} signal
 * @property {string} output  stdout and stderr in the order they were written
 */

/**
 * @typedef {object} CommandOptions
 * @property {string} [cwd]
 * @property {NodeJS.ProcessEnv} [env]
 * @property {{ uid: number, gid: number }} [account]  run as this user instead of the caller
 * @property {boolean} [detached]  own session and process group, out of reach of the terminal's Ctrl-C
 * @property {number} [timeoutMs]  SIGKILL the command after this long
 */

/**
 * Runs a command to completion and collects its output. Resolves on any exit code: the caller
 * decides what a failure means; rejects only when the command cannot be run at all.
 * @param {string} file
 * @param {readonly string[]} args
 * @param {CommandOptions} [options]
 * @returns {Promise<CommandResult>}
 */
function runCommand(file, args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      // libuv drops root's supplementary groups when it switches uid, so this is a clean switch
      // with no shell or PAM session in between (unlike runuser/su).
      uid: options.account?.uid,
      gid: options.account?.gid,
      detached: options.detached ?? false,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    /** @type {Buffer[]} */
    const chunks = [];
    child.stdout.on('data', (chunk) => chunks.push(chunk));
    child.stderr.on('data', (chunk) => chunks.push(chunk));
    const timer =
      options.timeoutMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`cannot run ${file}: ${error.message}`));
    });
    // 'close' rather than 'exit': it waits for both pipes to drain, so no output is lost.
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, output: Buffer.concat(chunks).toString('utf8') });
    });
  });
}

/**
 * Whether `pid` is a running process. A zombie counts as gone: it has exited and only waits for a
 * parent that is not us to reap it (pg_ctl forks postgres and exits, so postgres is re-parented,
 * and in some containers PID 1 never reaps).
 * @param {number} pid
 * @returns {boolean}
 */
function isProcessAlive(pid) {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return /** @type {NodeJS.ErrnoException} */ (error).code === 'EPERM';
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The state letter follows the command name, which is in parentheses and may contain ') '.
    return stat.charAt(stat.lastIndexOf(')') + 2) !== 'Z';
  } catch (error) {
    return /** @type {NodeJS.ErrnoException} */ (error).code !== 'ENOENT';
  }
}

/**
 * The command line of a running process, or undefined when it cannot be read (no /proc, gone).
 * Used to tell our server from an unrelated process that inherited a recorded pid.
 * @param {number} pid
 * @returns {string | undefined}
 */
function processCommandLine(pid) {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return undefined;
  }
}

/**
 * Waits until `pid` is gone; resolves whether it went within `timeoutMs`. Polls instead of
 * listening for 'exit' because the process may not be our child (an adopted or forked server).
 * @param {number} pid
 * @param {number} timeoutMs
 * @returns {Promise<boolean>}
 */
async function waitForProcessExit(pid, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (isProcessAlive(pid)) {
    if (Date.now() >= deadline) return false;
    await sleep(EXIT_POLL_INTERVAL_MS);
  }
  return true;
}

/**
 * Sends `signal`, waits up to `graceMs`, then SIGKILLs. Throws if the process survives even that.
 * @param {number} pid
 * @param {{ signal?: NodeJS.Signals, graceMs?: number }} [options]
 * @returns {Promise<void>}
 */
async function terminateProcess(pid, { signal = 'SIGTERM', graceMs = 10_000 } = {}) {
  if (!sendSignal(pid, signal)) return;
  if (await waitForProcessExit(pid, graceMs)) return;
  sendSignal(pid, 'SIGKILL');
  // 5 s: SIGKILL cannot be caught; only a process stuck in uninterruptible I/O outlives it.
  if (!(await waitForProcessExit(pid, 5_000))) throw new Error(`process ${pid} survived SIGKILL`);
}

/**
 * Sends a signal; resolves false when the process is already gone.
 * @param {number} pid
 * @param {NodeJS.Signals} signal
 * @returns {boolean}
 */
function sendSignal(pid, signal) {
  try {
    process.kill(pid, signal);
    return true;
  } catch (error) {
    if (/** @type {NodeJS.ErrnoException} */ (error).code === 'ESRCH') return false;
    throw error;
  }
}

module.exports = {
  runCommand,
  isProcessAlive,
  processCommandLine,
  waitForProcessExit,
  terminateProcess,
  sendSignal,
};
