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

const dir = process.env.WOPI_TEST_RUN_LOG_DIR;
// Only a Jest worker sets this for itself (below); a child inherits it and must not believe it.
delete process.env.WOPI_TEST_STDOUT_IN_RUN_LOG;

if (dir && !globalThis[Symbol.for('wopi-gateway.run-log-tee')]) {
  globalThis[Symbol.for('wopi-gateway.run-log-tee')] = true;
  const script = process.argv[1] ?? '';
  // A Jest worker's stdout reaches the terminal through Jest, and only what an app built inside a
  // test writes ends up there (test output travels over IPC). So a worker's stdout goes to the run
  // log alone: the in-process apps can log at `info` without flooding the terminal.
  const isJestWorker = /jest-worker[\\/]build[\\/]workers[\\/]processChild\.js$/.test(script);
  const label = isJestWorker ? `jest-worker-${process.env.JEST_WORKER_ID ?? 'x'}` : labelOf(script, process.argv[2]);
  const file = path.join(dir, `${label}.${process.pid}.log`);
  let fd;
  const copy = (chunk, encoding) => {
    try {
      // Opened on the first write: a process that writes nothing leaves no empty file behind.
      if (fd === undefined) fd = fs.openSync(file, 'a');
      fs.writeSync(fd, typeof chunk === 'string' ? Buffer.from(chunk, encoding) : chunk);
    } catch {
      // The run directory was removed (a run that already ended): the process itself carries on.
    }
  };
  const tee = (stream, divert) => {
    const write = stream.write;
    // Replacing write also makes pino log through the stream instead of writing to fd 1 behind
    // its back (pino checks for a tampered stdout), so its lines pass here too.
    stream.write = function (chunk, encoding, callback) {
      copy(chunk, typeof encoding === 'string' ? encoding : 'utf8');
      if (!divert) return write.call(this, chunk, encoding, callback);
      const done = typeof encoding === 'function' ? encoding : callback;
      if (typeof done === 'function') process.nextTick(done);
      return true;
    };
  };
  tee(process.stdout, isJestWorker);
  tee(process.stderr, false);
  if (isJestWorker) process.env.WOPI_TEST_STDOUT_IN_RUN_LOG = '1';
}

/** A readable file name for the process: its script relative to the repository, or `node-e`. */
function labelOf(script, firstArgument) {
  const root = path.resolve(__dirname, '../..');
  const relative = script ? path.relative(root, script) : 'node';
  const name = relative.startsWith('..') ? path.basename(script) : relative;
  // npm and npx: the command they run says more than their own script.
  const suffix = /npm|npx/.test(path.basename(script)) && firstArgument ? `-${firstArgument}` : '';
  return (
    `${name}${suffix}`
      .replace(/[^A-Za-z0-9._-]+/g, '-')
      .replace(/^-+/, '')
      .slice(0, 80) || 'node'
  );
}
