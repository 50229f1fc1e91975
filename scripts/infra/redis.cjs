// @ts-check
'use strict';
/**
 * A Redis for the demo and the tests: the one at a given URL when it answers, otherwise a private
 * redis-server (from Debian's package) with its data in a directory of ours.
 */

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const tls = require('node:tls');

const { findExecutable, installDebianPackages } = require('./debian.cjs');
const { isProcessAlive, processCommandLine, terminateProcess } = require('./processes.cjs');
const {
  PortInUseError,
  defaultLog,
  displayPath,
  externalServer,
  fileSize,
  lastLines,
  ownedServer,
  readLogSince,
  readOwnerRecord,
  removeOwnerRecord,
  shouldAdopt,
  startOnFreePort,
  useIfAnswering,
  waitUntil,
  writeOwnerRecord,
} = require('./servers.cjs');

const DEFAULT_PRIVATE_PORT = 56379;
const PING_TIMEOUT_MS = 1_000;
// 30 s: with appendonly, a restart replays the whole AOF before it answers PING (-LOADING until then).
const STARTUP_TIMEOUT_MS = 30_000;

/** @typedef {import('./servers.cjs').InfraServer} InfraServer */
/** @typedef {{ ok: true } | { ok: false, reason: string }} Probe */

/**
 * Returns a Redis that answers PING: the one at `url` if it does (nothing is started, stop() is a
 * no-op), otherwise a private redis-server on 127.0.0.1 with its data in `dataDir`, whose stop()
 * ends it.
 * @param {{ url?: string, dataDir?: string, preferredPort?: number, log?: (line: string) => void }} [options]
 *   preferredPort: for the private server, used when free (default 56379; 0 for any free port)
 * @returns {Promise<InfraServer>}
 */
async function ensureRedis({ url, dataDir, preferredPort = DEFAULT_PRIVATE_PORT, log = defaultLog } = {}) {
  const say = (/** @type {string} */ line) => log(`redis: ${line}`);
  const configured = await useIfAnswering(url, (target) => pingRedis(target), say);
  if (configured) return configured;
  if (!dataDir) throw new Error('redis: no server answers and no dataDir was given to start a private one in');
  const absoluteDataDir = path.resolve(dataDir);
  fs.mkdirSync(absoluteDataDir, { recursive: true });

  const running = await findRunningPrivateRedis(absoluteDataDir, say);
  if (running) return running;

  const redisServer = await requireRedisServer(say);
  return startOnFreePort(preferredPort, absoluteDataDir, say, (port) =>
    startPrivateRedis(redisServer, absoluteDataDir, port),
  );
}

/**
 * A private server still running from `dataDir` (left by a killed run, or started by a process
 * still running): reusing it beats a second server writing the same append-only file.
 * @param {string} dataDir
 * @param {(line: string) => void} say
 * @returns {Promise<InfraServer | undefined>}
 */
async function findRunningPrivateRedis(dataDir, say) {
  const record = readOwnerRecord(dataDir);
  if (record === undefined || !isProcessAlive(record.serverPid)) return undefined;
  // A recycled pid: the recorded server is long gone.
  if (!(processCommandLine(record.serverPid) ?? 'redis-server').includes('redis-server')) return undefined;
  const url = privateUrl(record.port);
  if (!(await waitUntil(async () => (await pingRedis(url)).ok, STARTUP_TIMEOUT_MS))) {
    throw new Error(
      `redis: redis-server (pid ${record.serverPid}) runs from ${dataDir} but does not answer on 127.0.0.1:${record.port}; stop it (kill ${record.serverPid}) and retry`,
    );
  }
  if (!shouldAdopt(dataDir, record.serverPid)) {
    say(
      `using private server already running from ${displayPath(dataDir)} at ${url} (pid ${record.serverPid}, owned by pid ${record.ownerPid})`,
    );
    return externalServer(url);
  }
  say(`adopting private server left running from ${displayPath(dataDir)} at ${url} (pid ${record.serverPid})`);
  writeOwnerRecord(dataDir, { serverPid: record.serverPid, port: record.port });
  return ownedRedis(url, record.serverPid, dataDir);
}

/**
 * Starts redis-server as our child in its own session and waits until it answers PING.
 * @param {string} redisServer
 * @param {string} dataDir
 * @param {number} port
 * @returns {Promise<InfraServer>}
 */
async function startPrivateRedis(redisServer, dataDir, port) {
  const logFile = path.join(dataDir, 'redis.log');
  const logOffset = fileSize(logFile);
  // Errors in the arguments are printed before the log file is opened: send them there too.
  const logFd = fs.openSync(logFile, 'a');
  const child = spawn(
    redisServer,
    [
      ...['--bind', '127.0.0.1', '--port', String(port), '--dir', dataDir],
      // Persistence stays on: the demo keeps its locks and queued write-backs across restarts.
      // AOF alone, fsynced every second; RDB snapshots off so only one format is written.
      ...['--appendonly', 'yes', '--appendfsync', 'everysec', '--save', ''],
      // BullMQ loses jobs if Redis evicts its keys; it warns unless the policy is noeviction.
      ...['--maxmemory-policy', 'noeviction'],
      ...['--daemonize', 'no', '--logfile', logFile],
    ],
    // Detached: a Ctrl-C in the terminal reaches our process, which then stops Redis in order.
    { detached: true, stdio: ['ignore', logFd, logFd] },
  );
  fs.closeSync(logFd);
  // Our stop() and the exit hook end it; it must not keep this process alive by itself.
  child.unref();
  // Recorded before it is ready: if we are killed while waiting, the next run finds it by this.
  if (child.pid !== undefined) writeOwnerRecord(dataDir, { serverPid: child.pid, port });
  /** @type {Error | undefined} */
  let spawnError;
  child.once('error', (error) => (spawnError = error));
  /** @type {string | undefined} */
  let exitStatus;
  child.once('exit', (code, signal) => (exitStatus = String(code ?? signal)));

  const url = privateUrl(port);
  const ready = await waitUntil(
    async () => spawnError !== undefined || exitStatus !== undefined || (await pingRedis(url)).ok,
    STARTUP_TIMEOUT_MS,
    50,
  );
  if (spawnError) {
    removeOwnerRecord(dataDir);
    throw new Error(`redis: cannot run ${redisServer}: ${spawnError.message}`);
  }
  if (exitStatus !== undefined || !ready || child.pid === undefined) {
    if (child.pid !== undefined) await terminateProcess(child.pid);
    removeOwnerRecord(dataDir);
    const log = readLogSince(logFile, logOffset);
    if (/Address already in use/i.test(log)) throw new PortInUseError(`127.0.0.1:${port} in use`);
    const what = exitStatus !== undefined ? `exited (${exitStatus})` : `did not answer within ${STARTUP_TIMEOUT_MS} ms`;
    throw new Error(`redis: redis-server ${what}; ${displayPath(logFile)} says:\n${lastLines(log)}`);
  }
  return ownedRedis(url, child.pid, dataDir);
}

/**
 * @param {string} url
 * @param {number} pid
 * @param {string} dataDir
 * @returns {InfraServer}
 */
function ownedRedis(url, pid, dataDir) {
  return ownedServer({
    name: 'redis',
    url,
    pid,
    // SIGTERM makes Redis flush and fsync the AOF before it exits.
    exitSignal: 'SIGTERM',
    stopServer: async () => {
      await terminateProcess(pid, { signal: 'SIGTERM', graceMs: 10_000 });
      removeOwnerRecord(dataDir);
    },
  });
}

/**
 * @param {(line: string) => void} say
 * @returns {Promise<string>}
 */
async function requireRedisServer(say) {
  const found = findExecutable('redis-server');
  if (found) return found;
  await installDebianPackages(['redis-server'], say);
  const installed = findExecutable('redis-server');
  if (!installed) throw new Error('redis: the redis-server package was installed but redis-server is not found');
  return installed;
}

/** @param {number} port */
function privateUrl(port) {
  return `redis://127.0.0.1:${port}`;
}

/**
 * Whether the Redis at `url` answers PING, over one raw connection (AUTH first when the URL has a
 * password; TLS for rediss://).
 * @param {string} url
 * @param {number} [timeoutMs]
 * @returns {Promise<Probe>}
 */
function pingRedis(url, timeoutMs = PING_TIMEOUT_MS) {
  /** @type {URL} */
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    return Promise.resolve({ ok: false, reason: 'not a URL' });
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    return Promise.resolve({ ok: false, reason: `unsupported scheme ${parsed.protocol}` });
  }
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1') || '127.0.0.1';
  const port = Number(parsed.port || 6379);
  const password = decodeURIComponent(parsed.password);
  const username = decodeURIComponent(parsed.username);
  /** @type {string[][]} */
  const commands = [];
  if (password) commands.push(username ? ['AUTH', username, password] : ['AUTH', password]);
  commands.push(['PING']);

  return new Promise((resolve) => {
    const socket =
      parsed.protocol === 'rediss:'
        ? tls.connect({ host, port, servername: net.isIP(host) ? undefined : host })
        : net.connect({ host, port });
    let received = '';
    /** @param {Probe} probe */
    const finish = (probe) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(probe);
    };
    const timer = setTimeout(() => finish({ ok: false, reason: `no answer within ${timeoutMs} ms` }), timeoutMs);
    socket.once('error', (error) =>
      finish({ ok: false, reason: /** @type {NodeJS.ErrnoException} */ (error).code ?? error.message }),
    );
    socket.once(parsed.protocol === 'rediss:' ? 'secureConnect' : 'connect', () =>
      socket.write(commands.map(encodeCommand).join('')),
    );
    socket.on('data', (chunk) => {
      received += chunk.toString('utf8');
      // AUTH and PING both answer with one status or error line.
      const replies = received.split('\r\n').slice(0, -1);
      if (replies.length < commands.length) return;
      const authReply = commands.length > 1 ? replies[0] : undefined;
      // Like ioredis: a password sent to a server that has none is not an error worth failing on.
      if (authReply?.startsWith('-') && !/without any password configured|no password is set/i.test(authReply)) {
        finish({ ok: false, reason: `AUTH: ${authReply.slice(1)}` });
        return;
      }
      const pingReply = replies[commands.length - 1];
      finish(pingReply === '+PONG' ? { ok: true } : { ok: false, reason: `PING: ${pingReply.replace(/^[-+]/, '')}` });
    });
  });
}

/**
 * A command as a RESP array of bulk strings, so passwords with spaces or quotes pass unchanged.
 * @param {readonly string[]} args
 */
function encodeCommand(args) {
  return `*${args.length}\r\n${args.map((arg) => `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`).join('')}`;
}

module.exports = { ensureRedis, pingRedis };
