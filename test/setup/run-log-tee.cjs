// Preloaded (NODE_OPTIONS --require, set by run-log-setup.ts) into every Node process of a Jest
// run: the Jest workers and every process a test starts, however it starts it (helper, script,
// grandchild of `npm run demo`) and wherever that process's stdout goes (a pipe, /dev/null).
// It copies what the process writes to stdout and stderr into a file of its own in the run's log
// directory, which run-log-check.ts scans for secrets once every test ran (docs/security.md).
//
// Plain CommonJS without dependencies: it runs before any transpiler, in any Node a test starts.
'use strict';

const fs = require('node:fs');
const path = require('node:path');

// Read when needed, not once at load: a Jest run started by a test (the unit tier on another Node)
// loads this file through the inherited NODE_OPTIONS before its own global setup names its run
// directory.
const runDir = () => process.env.WOPI_TEST_RUN_LOG_DIR;
// Only Jest's processes set this for themselves (below); a child inherits it and must not believe it.
delete process.env.WOPI_TEST_STDOUT_IN_RUN_LOG;

const INSTALLED = Symbol.for('wopi-gateway.run-log-tee');

/** Appends to <dir>/<label>.<pid>.log, opened on the first write: a silent process leaves no file. */
function runLogFile(label) {
  const file = path.join(runDir(), `${label}.${process.pid}.log`);
  let fd;
  return (chunk, encoding) => {
    try {
      if (fd === undefined) fd = fs.openSync(file, 'a');
      fs.writeSync(fd, typeof chunk === 'string' ? Buffer.from(chunk, encoding) : chunk);
    } catch {
      // The run directory was removed (a run that already ended): the process itself carries on.
    }
  };
}

/**
 * Wraps stream.write: `copy` decides, for each write, whether it goes to the run log, and
 * returns true when it went there instead of the stream. Replacing write also makes pino log
 * through the stream instead of writing to fd 1 behind its back (pino checks for a tampered
 * stdout), so its lines pass here too.
 */
function wrap(stream, copy) {
  const write = stream.write;
  stream.write = function (chunk, encoding, callback) {
    if (!copy(chunk, typeof encoding === 'string' ? encoding : 'utf8'))
      return write.call(this, chunk, encoding, callback);
    const done = typeof encoding === 'function' ? encoding : callback;
    if (typeof done === 'function') process.nextTick(done);
    return true;
  };
}

/** Is this chunk a log line of one of our apps (pino JSON)? Jest never writes one itself. */
const isAppLogLine = (chunk) =>
  (typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('latin1', 0, 16)).startsWith('{"level":');

// Loaded by --require, not by run-log-setup.ts in Jest's own process: that one raises this flag
// first and calls installInJestProcess().
const preloaded = !globalThis[Symbol.for('wopi-gateway.run-log-tee.jest-process')];

const REPO_ROOT = path.resolve(__dirname, '../..');

/**
 * Commands whose stdout is the secret their user asked for, printed once, not a log: the admin
 * CLI's new key, `npm run session`'s access token. Their stderr is a log and is copied.
 */
const RESULT_ON_STDOUT = new Set(['dist/apps/api/src/admin-cli/main.js', 'scripts/session.cjs']);

if (preloaded && runDir() && !globalThis[INSTALLED]) {
  globalThis[INSTALLED] = true;
  const script = process.argv[1] ?? '';
  const relative = script ? path.relative(REPO_ROOT, script).split(path.sep).join('/') : '';
  // A Jest worker's stdout reaches the terminal through Jest, and only what an app built inside a
  // test writes ends up there (test results travel over IPC). So a worker's stdout goes to the
  // run log alone: the in-process apps can log at `info` without flooding the terminal.
  const isJestWorker = /jest-worker[\\/]build[\\/]workers[\\/]processChild\.js$/.test(script);
  // Programs that are not ours (npm, the WOPI validator, which is a WOPI client holding tokens as
  // a browser does) print what they like; the demo editor, which shows the validator's output,
  // strips the tokens itself (apps/demo-editor/src/validator/).
  const ours =
    !script || !(relative.startsWith('../') || path.isAbsolute(relative) || relative.startsWith('node_modules/'));
  if (isJestWorker) {
    const copy = runLogFile(`jest-worker-${process.env.JEST_WORKER_ID ?? 'x'}`);
    wrap(process.stdout, (chunk, encoding) => (copy(chunk, encoding), true));
    wrap(process.stderr, (chunk, encoding) => (copy(chunk, encoding), false));
    process.env.WOPI_TEST_STDOUT_IN_RUN_LOG = '1';
  } else if (ours) {
    const copy = runLogFile((relative || 'node').replace(/[^A-Za-z0-9._-]+/g, '-').slice(-80));
    if (!RESULT_ON_STDOUT.has(relative)) wrap(process.stdout, (chunk, encoding) => (copy(chunk, encoding), false));
    wrap(process.stderr, (chunk, encoding) => (copy(chunk, encoding), false));
  }
}

/**
 * For Jest's own process, where tests run when Jest runs them in band (a small selection): its
 * stdout and stderr carry Jest's report, so only our apps' log lines are taken, to the run log
 * alone, as in a worker. Called by run-log-setup.ts; Jest's process started before NODE_OPTIONS
 * named this file.
 */
function installInJestProcess() {
  if (!runDir()) throw new Error('WOPI_TEST_RUN_LOG_DIR must be set before installInJestProcess() is called');
  if (globalThis[INSTALLED]) return;
  globalThis[INSTALLED] = true;
  const copy = runLogFile('jest');
  wrap(process.stdout, (chunk, encoding) => isAppLogLine(chunk) && (copy(chunk, encoding), true));
  process.env.WOPI_TEST_STDOUT_IN_RUN_LOG = '1';
}

module.exports = { installInJestProcess };
