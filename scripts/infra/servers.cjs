// @ts-check
'use strict';
/**
 * What Redis and PostgreSQL have in common here: the handle ensure*() returns, the registry behind
 * stopAll(), the owner record that tells an orphaned private server from one still in use, port
 * selection, and log formatting.
 */

const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const { setTimeout: sleep } = require('node:timers/promises');

const { isProcessAlive, sendSignal } = require('./processes.cjs');

/** @typedef {(line: string) => void} Log */

/**
 * @typedef {object} InfraServer
 * @property {string} url  where the server answers
 * @property {boolean} started  true when this process owns the server and stop() ends it
 * @property {number} [pid]  the server process stop() ends; set only when `started`
 * @property {() => Promise<void>} stop  idempotent; a no-op when nothing was started
 */

/**
 * @typedef {object} OwnerRecord
 * @property {number} serverPid
 * @property {number} port
 * @property {number} ownerPid  the process whose stop() ends the server
 */

const OWNER_RECORD_FILE = 'wopi-infra-owner.json';

/** @type {Log} */
const defaultLog = (line) => console.error(line);

/**
 * Servers this process started and has not stopped yet, in start order.
 * @type {Set<{ name: string, pid: number, exitSignal: NodeJS.Signals, stop: () => Promise<void> }>}
 */
const startedServers = new Set();
let exitHookInstalled = false;

/**
 * A handle for a server someone else runs: stop() leaves it alone.
 * @param {string} url
 * @returns {InfraServer}
 */
function externalServer(url) {
  return { url, started: false, stop: async () => undefined };
}

/**
 * A handle for a server this process owns. stop() runs `stopServer` once, however often it is
 * called, and stopAll() reaches it until then.
 * @param {{ name: string, url: string, pid: number, exitSignal: NodeJS.Signals, stopServer: () => Promise<void> }} server
 * @returns {InfraServer}
 */
function ownedServer({ name, url, pid, exitSignal, stopServer }) {
  /** @type {Promise<void> | undefined} */
  let stopping;
  const entry = {
    name,
    pid,
    exitSignal,
    stop: () => {
      stopping ??= stopServer().then(
        () => {
          startedServers.delete(entry);
        },
        (error) => {
          // Let a later stop() or stopAll() try again rather than replay this failure.
          stopping = undefined;
          throw error;
        },
      );
      return stopping;
    },
  };
  startedServers.add(entry);
  installExitHook();
  return { url, started: true, pid, stop: entry.stop };
}

/**
 * Stops every server this process started, in reverse start order. Await it before exiting, e.g.
 * from a SIGINT handler.
 * @returns {Promise<void>}
 */
async function stopAll() {
  /** @type {unknown[]} */
  const errors = [];
  for (const server of [...startedServers].reverse()) {
    await server.stop().catch((error) => errors.push(error));
  }
  if (errors.length > 0) throw new AggregateError(errors, 'some private servers could not be stopped');
}

/**
 * Last resort for a caller that exits without awaiting stop(): servers run in their own session
 * (detached), so nothing else would end them. 'exit' handlers cannot wait, so each server only gets
 * its clean-shutdown signal; both Redis and PostgreSQL finish shutting down on their own.
 */
function installExitHook() {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const server of startedServers) {
      try {
        sendSignal(server.pid, server.exitSignal);
      } catch {
        // Exiting anyway; a server we may not signal is not ours to worry about any more.
      }
    }
  });
}

/**
 * @param {string} dataDir
 * @returns {OwnerRecord | undefined}
 */
function readOwnerRecord(dataDir) {
  try {
    const record = JSON.parse(fs.readFileSync(path.join(dataDir, OWNER_RECORD_FILE), 'utf8'));
    if ([record.serverPid, record.port, record.ownerPid].every(Number.isInteger)) return record;
  } catch {
    // Missing or unreadable: as if no private server had ever been started here.
  }
  return undefined;
}

/**
 * Records that this process owns the server running from `dataDir`.
 * @param {string} dataDir
 * @param {{ serverPid: number, port: number }} server
 * @param {{ uid: number, gid: number }} [account]  owner of the file, when it is not us
 */
function writeOwnerRecord(dataDir, { serverPid, port }, account) {
  const file = path.join(dataDir, OWNER_RECORD_FILE);
  /** @type {OwnerRecord} */
  const record = { serverPid, port, ownerPid: process.pid };
  fs.writeFileSync(file, `${JSON.stringify(record)}\n`);
  if (account) fs.chownSync(file, account.uid, account.gid);
}

/** @param {string} dataDir */
function removeOwnerRecord(dataDir) {
  fs.rmSync(path.join(dataDir, OWNER_RECORD_FILE), { force: true });
}

/**
 * Decides what to do with a live private server found running from `dataDir`: share it (false)
 * while the process recorded as its owner still runs (e.g. a demo in another terminal, or another
 * handle in this process); otherwise adopt it (true), so that it is stopped when we stop. With no
 * record naming it, it was started by a run interrupted before it could write one.
 * @param {string} dataDir
 * @param {number} serverPid
 * @returns {boolean}
 */
function shouldAdopt(dataDir, serverPid) {
  const record = readOwnerRecord(dataDir);
  if (record === undefined || record.serverPid !== serverPid) return true;
  return record.ownerPid !== process.pid && !isProcessAlive(record.ownerPid);
}

/**
 * `preferredPort` when it is free on 127.0.0.1, otherwise one the kernel picks. Another process
 * may still take it before our server binds; callers retry on "address in use".
 * @param {number | undefined} preferredPort  0 or undefined: any free port
 * @returns {Promise<number>}
 */
async function pickPort(preferredPort) {
  if (preferredPort && (await listenOnce(preferredPort)) !== undefined) return preferredPort;
  const port = await listenOnce(0);
  if (port === undefined) throw new Error('no free TCP port on 127.0.0.1');
  return port;
}

/**
 * Binds 127.0.0.1:`port` and lets go; resolves the bound port, or undefined when it is taken.
 * @param {number} port
 * @returns {Promise<number | undefined>}
 */
function listenOnce(port) {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(undefined));
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : undefined));
    });
  });
}

/** Thrown by a start attempt that lost its port to another process; the caller picks another. */
class PortInUseError extends Error {}

/** How often a private server start may lose its port to another process before we give up. */
const START_ATTEMPTS = 3;

/**
 * The server at `url` when it answers `probe` (nothing is started; stop() is a no-op), otherwise
 * undefined after saying why.
 * @param {string | undefined} url
 * @param {(url: string) => Promise<{ ok: true } | { ok: false, reason: string }>} probe
 * @param {Log} say
 * @returns {Promise<InfraServer | undefined>}
 */
async function useIfAnswering(url, probe, say) {
  if (!url) return undefined;
  const result = await probe(url);
  if (result.ok) {
    say(`using ${redactUrl(url)}`);
    return externalServer(url);
  }
  say(`${redactUrl(url)} does not answer (${result.reason})`);
  return undefined;
}

/**
 * Starts a private server on `preferredPort` when free, else on one the kernel picks; when another
 * process takes the port between the pick and the bind (`start` throws PortInUseError), tries again
 * on a new port, START_ATTEMPTS times at most.
 * @param {number | undefined} preferredPort
 * @param {string} dataDir  for the log line
 * @param {Log} say
 * @param {(port: number) => Promise<InfraServer>} start
 * @returns {Promise<InfraServer>}
 */
async function startOnFreePort(preferredPort, dataDir, say, start) {
  for (let attempt = 1; ; attempt++) {
    const port = await pickPort(preferredPort);
    say(`starting private server in ${displayPath(dataDir)} on 127.0.0.1:${port}`);
    try {
      return await start(port);
    } catch (error) {
      if (!(error instanceof PortInUseError) || attempt === START_ATTEMPTS) throw error;
      say(`port ${port} was taken meanwhile; trying another`);
      preferredPort = 0;
    }
  }
}

/**
 * Calls `check` until it resolves true; resolves false at the deadline.
 * @param {() => Promise<boolean>} check
 * @param {number} timeoutMs
 * @param {number} [intervalMs]
 * @returns {Promise<boolean>}
 */
async function waitUntil(check, timeoutMs, intervalMs = 100) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(intervalMs);
  }
}

/**
 * The text appended to a log file since byte `offset`, to explain a failed start without the
 * history of earlier runs.
 * @param {string} file
 * @param {number} offset
 * @returns {string}
 */
function readLogSince(file, offset) {
  try {
    const text = fs.readFileSync(file);
    return text.subarray(Math.min(offset, text.length)).toString('utf8');
  } catch {
    return '';
  }
}

/** @param {string} file */
function fileSize(file) {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

/**
 * The last lines of a command's output or a log, indented for an error message.
 * @param {string} text
 * @param {number} [lines]
 */
function lastLines(text, lines = 15) {
  return text
    .trimEnd()
    .split('\n')
    .slice(-lines)
    .map((line) => `    ${line}`)
    .join('\n');
}

/**
 * The URL with its password masked, for logs.
 * @param {string} url
 */
function redactUrl(url) {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<unparsable URL>';
  }
}

/**
 * A path relative to the working directory when it lies inside it (shorter log lines), else absolute.
 * @param {string} target
 */
function displayPath(target) {
  const relative = path.relative(process.cwd(), target);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : target;
}

module.exports = {
  defaultLog,
  externalServer,
  ownedServer,
  stopAll,
  readOwnerRecord,
  writeOwnerRecord,
  removeOwnerRecord,
  shouldAdopt,
  pickPort,
  PortInUseError,
  useIfAnswering,
  startOnFreePort,
  waitUntil,
  readLogSince,
  fileSize,
  lastLines,
  redactUrl,
  displayPath,
};
