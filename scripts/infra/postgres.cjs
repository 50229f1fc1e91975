// @ts-check
'use strict';
/**
 * A PostgreSQL for the demo and the tests: the one at a given URL when it answers, otherwise a
 * private cluster (Debian's postgresql binaries, our own data directory, started with pg_ctl), plus
 * the few database-level operations the test setup needs.
 */

const fs = require('node:fs');
const path = require('node:path');

const { findExecutable, installDebianPackages } = require('./debian.cjs');
const {
  isProcessAlive,
  processCommandLine,
  runCommand,
  terminateProcess,
  waitForProcessExit,
} = require('./processes.cjs');
const {
  PortInUseError,
  defaultLog,
  displayPath,
  externalServer,
  fileSize,
  lastLines,
  ownedServer,
  readLogSince,
  removeOwnerRecord,
  shouldAdopt,
  startOnFreePort,
  useIfAnswering,
  waitUntil,
  writeOwnerRecord,
} = require('./servers.cjs');

const DEFAULT_PRIVATE_PORT = 55432;
const CONNECT_TIMEOUT_MS = 2_000;
// 60 s: after a killed run the server replays its WAL before it accepts connections.
const STARTUP_TIMEOUT_SECONDS = 60;
// sun_path is 108 bytes on Linux, including the terminating NUL.
const MAX_UNIX_SOCKET_PATH_BYTES = 107;
const SUPERUSER = 'postgres';

/** @typedef {import('./servers.cjs').InfraServer} InfraServer */
/** @typedef {{ ok: true } | { ok: false, reason: string }} Probe */
/** @typedef {{ uid: number, gid: number }} Account */

/**
 * @typedef {object} Cluster  a private data directory and the binaries that run it
 * @property {string} dataDir  absolute
 * @property {string} binDir  holds initdb and pg_ctl of the data directory's major version
 * @property {Account | undefined} account  the user the server runs as, when that is not us (we are root)
 */

/**
 * Returns a PostgreSQL that accepts `SELECT 1`: the one at `url` if it does (nothing is started,
 * stop() is a no-op), otherwise a private server on 127.0.0.1 with its data in `dataDir`, whose
 * stop() ends it. The private server's URL is postgresql://postgres@127.0.0.1:<port>/postgres.
 * @param {{ url?: string, dataDir?: string, preferredPort?: number, log?: (line: string) => void }} [options]
 *   preferredPort: for the private server, used when free (default 55432; 0 for any free port)
 * @returns {Promise<InfraServer>}
 */
async function ensurePostgres({ url, dataDir, preferredPort = DEFAULT_PRIVATE_PORT, log = defaultLog } = {}) {
  const say = (/** @type {string} */ line) => log(`postgres: ${line}`);
  const configured = await useIfAnswering(url, probePostgres, say);
  if (configured) return configured;
  if (!dataDir) throw new Error('postgres: no server answers and no dataDir was given to start a private one in');

  const cluster = await prepareCluster(path.resolve(dataDir), say);
  const running = await findRunningPrivatePostgres(cluster, say);
  if (running) return running;

  return startOnFreePort(preferredPort, cluster.dataDir, say, (port) => startPrivatePostgres(cluster, port));
}

/**
 * Finds the binaries (installing them if needed), picks the user the server runs as, and runs
 * initdb unless the data directory already holds a cluster.
 * @param {string} dataDir
 * @param {(line: string) => void} say
 * @returns {Promise<Cluster>}
 */
async function prepareCluster(dataDir, say) {
  const existingVersion = readClusterVersion(dataDir);
  const binDir = await requirePostgresBinDir(existingVersion, say);
  if (existingVersion !== undefined) {
    const account = accountForExistingCluster(dataDir);
    return { dataDir, binDir, account };
  }

  const account = process.getuid?.() === 0 ? await systemAccount(SUPERUSER) : undefined;
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (fs.readdirSync(dataDir).length > 0) {
    throw new Error(`postgres: ${dataDir} is neither empty nor a PostgreSQL data directory; choose another dataDir`);
  }
  if (account) {
    fs.chownSync(dataDir, account.uid, account.gid);
    makeAncestorsSearchable(dataDir, account, say);
  }
  say(`initialising a new cluster in ${displayPath(dataDir)}`);
  const initdb = path.join(binDir, 'initdb');
  // Trust: the server listens on 127.0.0.1 only, and the URL then needs no password.
  const common = ['-D', dataDir, '--auth=trust', `--username=${SUPERUSER}`, '-E', 'UTF8'];
  let result = await runCommand(initdb, [...common, '--locale=C.UTF-8'], { account, cwd: dataDir });
  if (result.code !== 0 && /locale/i.test(result.output)) {
    // C.UTF-8 is built into glibc ≥ 2.35 but may be absent elsewhere; C collation is fine for tests.
    say('locale C.UTF-8 is not available; initialising with --no-locale');
    result = await runCommand(initdb, [...common, '--no-locale'], { account, cwd: dataDir });
  }
  if (result.code !== 0) throw new Error(`postgres: initdb failed:\n${lastLines(result.output)}`);
  return { dataDir, binDir, account };
}

/**
 * The major version of the cluster in `dataDir`, or undefined when there is none yet.
 * @param {string} dataDir
 * @returns {string | undefined}
 */
function readClusterVersion(dataDir) {
  try {
    return fs.readFileSync(path.join(dataDir, 'PG_VERSION'), 'utf8').trim();
  } catch (error) {
    const { code, message } = /** @type {NodeJS.ErrnoException} */ (error);
    if (code === 'ENOENT') return undefined;
    if (code === 'EACCES') {
      // Someone else's cluster (root made it for the postgres user): never initialise over it.
      const owner = fs.statSync(dataDir).uid;
      throw new Error(`postgres: ${dataDir} belongs to uid ${owner}; run as that user or as root, or delete it`);
    }
    throw new Error(`postgres: cannot read ${dataDir}: ${message}`);
  }
}

/**
 * The user an existing cluster must run as: its owner. PostgreSQL refuses to run as root, and a
 * cluster created by another user can only be run by that user.
 * @param {string} dataDir
 * @returns {Account | undefined}
 */
function accountForExistingCluster(dataDir) {
  const owner = fs.statSync(dataDir);
  const uid = process.getuid?.();
  if (uid === owner.uid) {
    if (uid === 0) throw new Error(`postgres: ${dataDir} is owned by root, and PostgreSQL refuses to run as root`);
    return undefined;
  }
  if (uid !== 0) {
    throw new Error(`postgres: ${dataDir} belongs to uid ${owner.uid}; run as that user or as root, or delete it`);
  }
  return { uid: owner.uid, gid: owner.gid };
}

/**
 * The uid and gid of a system user (Debian's postgresql package creates `postgres`).
 * @param {string} name
 * @returns {Promise<Account>}
 */
async function systemAccount(name) {
  const [uid, gid] = await Promise.all(['-u', '-g'].map((flag) => runCommand('id', [flag, name])));
  if (uid.code !== 0 || gid.code !== 0) {
    throw new Error(
      `postgres: running as root, and initdb refuses root, but there is no '${name}' user to run it as. ` +
        'Install the postgresql package (it creates that user) or run as a non-root user.',
    );
  }
  return { uid: Number(uid.output.trim()), gid: Number(gid.output.trim()) };
}

/**
 * Lets `account` reach `dataDir` when a directory on the way is closed to it (a 0700 mktemp dir,
 * a home directory): grants search (x) to others there, never read, so nothing becomes listable.
 * @param {string} dataDir
 * @param {Account} account
 * @param {(line: string) => void} say
 */
function makeAncestorsSearchable(dataDir, account, say) {
  for (let dir = path.dirname(dataDir); ; dir = path.dirname(dir)) {
    const { mode, uid, gid } = fs.statSync(dir);
    const searchBit = uid === account.uid ? 0o100 : gid === account.gid ? 0o010 : 0o001;
    if ((mode & searchBit) === 0) {
      say(`granting search permission (o+x) on ${dir} so the postgres user can reach its data`);
      fs.chmodSync(dir, (mode & 0o7777) | 0o001);
    }
    if (dir === path.dirname(dir)) return;
  }
}

/**
 * A postmaster still running from our data directory: reuse it rather than fail on its lock file.
 * Removes a postmaster.pid whose pid now belongs to an unrelated process, which would otherwise
 * make the postmaster refuse to start.
 * @param {Cluster} cluster
 * @param {(line: string) => void} say
 * @returns {Promise<InfraServer | undefined>}
 */
async function findRunningPrivatePostgres(cluster, say) {
  const lock = readPostmasterPid(cluster.dataDir);
  if (lock === undefined) return undefined;
  // 0: running; 3: not running (a stale postmaster.pid, which the postmaster replaces on start).
  const status = await runCommand(path.join(cluster.binDir, 'pg_ctl'), ['status', '-D', cluster.dataDir], {
    account: cluster.account,
    cwd: cluster.dataDir,
  });
  if (status.code !== 0) return undefined;
  // pg_ctl only asks whether the pid exists, and so does the postmaster before it refuses to
  // start: a killed server's pid may since belong to an unrelated process, or be an unreaped zombie.
  if (!isProcessAlive(lock.pid) || !isPostmasterOf(lock.pid, cluster.dataDir)) {
    say(`removing stale postmaster.pid (pid ${lock.pid} is no longer this cluster's server)`);
    fs.rmSync(path.join(cluster.dataDir, 'postmaster.pid'), { force: true });
    return undefined;
  }
  const url = privateUrl(lock.port);
  if (!(await waitUntil(async () => (await probePostgres(url)).ok, STARTUP_TIMEOUT_SECONDS * 1000, 250))) {
    throw new Error(
      `postgres: a server (pid ${lock.pid}) runs from ${cluster.dataDir} but does not answer at ${url}; ` +
        `stop it with: ${path.join(cluster.binDir, 'pg_ctl')} stop -D ${cluster.dataDir} -m fast`,
    );
  }
  if (!shouldAdopt(cluster.dataDir, lock.pid)) {
    say(`using private server already running from ${displayPath(cluster.dataDir)} at ${url} (pid ${lock.pid})`);
    return externalServer(url);
  }
  say(`adopting private server left running from ${displayPath(cluster.dataDir)} at ${url} (pid ${lock.pid})`);
  writeOwnerRecord(cluster.dataDir, { serverPid: lock.pid, port: lock.port }, cluster.account);
  return ownedPostgres(cluster, url, lock.pid);
}

/**
 * Whether `pid` is a server of the cluster in `dataDir`: PostgreSQL processes work from their data
 * directory. Without access to /proc/<pid>/cwd, the command line has to do.
 * @param {number} pid
 * @param {string} dataDir
 * @returns {boolean}
 */
function isPostmasterOf(pid, dataDir) {
  try {
    return fs.readlinkSync(`/proc/${pid}/cwd`) === fs.realpathSync(dataDir);
  } catch {
    return (processCommandLine(pid) ?? dataDir).includes(dataDir);
  }
}

/**
 * Starts the cluster with pg_ctl (which waits until it accepts connections) on 127.0.0.1:`port`.
 * @param {Cluster} cluster
 * @param {number} port
 * @returns {Promise<InfraServer>}
 */
async function startPrivatePostgres(cluster, port) {
  const { dataDir, binDir, account } = cluster;
  const logFile = path.join(dataDir, 'postgres.log');
  const logOffset = fileSize(logFile);
  // The socket lets `psql -h <dataDir> -p <port>` in without TCP; too long a path would stop the
  // server from starting, so then go without one (we connect over TCP anyway).
  const socketDir =
    Buffer.byteLength(path.join(dataDir, `.s.PGSQL.${port}`)) <= MAX_UNIX_SOCKET_PATH_BYTES ? dataDir : '';
  // pg_ctl pastes -o into a /bin/sh command line, hence the shell quoting.
  const serverOptions = `-p ${port} -h 127.0.0.1 -k ${shellQuote(socketDir)}`;
  const result = await runCommand(
    path.join(binDir, 'pg_ctl'),
    ['start', '-D', dataDir, '-w', '-t', String(STARTUP_TIMEOUT_SECONDS), '-l', logFile, '-o', serverOptions],
    // Detached: a Ctrl-C during start-up must not kill pg_ctl half way (pg_ctl itself puts the
    // postmaster in a session of its own).
    { account, cwd: dataDir, detached: true },
  );
  if (result.code !== 0) {
    const log = readLogSince(logFile, logOffset);
    if (/could not bind .*Address already in use/i.test(log)) throw new PortInUseError(`127.0.0.1:${port} in use`);
    throw new Error(
      `postgres: pg_ctl start failed (exit ${result.code ?? result.signal}):\n${lastLines(result.output, 5)}\n` +
        `${displayPath(logFile)} says:\n${lastLines(log)}`,
    );
  }
  const lock = readPostmasterPid(dataDir);
  if (lock === undefined) {
    throw new Error(`postgres: pg_ctl started the server but ${dataDir}/postmaster.pid is unreadable`);
  }
  const url = privateUrl(port);
  const probe = await probePostgres(url);
  if (!probe.ok) {
    await stopCluster(cluster, lock.pid);
    throw new Error(`postgres: the private server started but ${url} does not answer (${probe.reason})`);
  }
  writeOwnerRecord(dataDir, { serverPid: lock.pid, port }, account);
  return ownedPostgres(cluster, url, lock.pid);
}

/**
 * @param {Cluster} cluster
 * @param {string} url
 * @param {number} pid  the postmaster
 * @returns {InfraServer}
 */
function ownedPostgres(cluster, url, pid) {
  return ownedServer({
    name: 'postgres',
    url,
    pid,
    // SIGINT is PostgreSQL's "fast" shutdown: roll back open transactions, checkpoint, exit.
    exitSignal: 'SIGINT',
    stopServer: async () => {
      await stopCluster(cluster, pid);
      removeOwnerRecord(cluster.dataDir);
    },
  });
}

/**
 * Stops the postmaster `pid`: a fast shutdown, then immediate (crash-safe, replays WAL on the
 * next start), then SIGKILL as a last resort.
 * @param {Cluster} cluster
 * @param {number} pid
 */
async function stopCluster({ dataDir, binDir, account }, pid) {
  const pgCtl = path.join(binDir, 'pg_ctl');
  for (const [mode, timeoutSeconds] of /** @type {const} */ ([
    ['fast', 30],
    ['immediate', 10],
  ])) {
    if (!isProcessAlive(pid)) return;
    await runCommand(pgCtl, ['stop', '-D', dataDir, '-m', mode, '-w', '-t', String(timeoutSeconds)], {
      account,
      cwd: dataDir,
    });
    // pg_ctl returns once postmaster.pid is gone, a moment before the process itself exits.
    if (await waitForProcessExit(pid, 5_000)) return;
  }
  await terminateProcess(pid, { signal: 'SIGKILL', graceMs: 0 });
}

/**
 * The pid and port recorded in postmaster.pid (lines 1 and 4), or undefined when it is absent.
 * @param {string} dataDir
 * @returns {{ pid: number, port: number } | undefined}
 */
function readPostmasterPid(dataDir) {
  try {
    const lines = fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n');
    const pid = Number(lines[0]);
    const port = Number(lines[3]);
    return Number.isInteger(pid) && pid > 0 && Number.isInteger(port) && port > 0 ? { pid, port } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The bin directory holding initdb and pg_ctl: of the data directory's major version when it has
 * one, else the highest installed under /usr/lib/postgresql, else wherever PATH finds pg_ctl.
 * Installs Debian's postgresql package when there is none at all.
 * @param {string | undefined} requiredVersion
 * @param {(line: string) => void} say
 * @returns {Promise<string>}
 */
async function requirePostgresBinDir(requiredVersion, say) {
  let binDir = await findPostgresBinDir(requiredVersion);
  if (binDir === undefined && requiredVersion === undefined) {
    await installDebianPackages(['postgresql'], say);
    binDir = await findPostgresBinDir(undefined);
  }
  if (binDir !== undefined) return binDir;
  throw new Error(
    requiredVersion === undefined
      ? 'postgres: the postgresql package was installed but no initdb/pg_ctl was found'
      : `postgres: the data directory was made by PostgreSQL ${requiredVersion}, which is not installed ` +
          `(apt-get install postgresql-${requiredVersion}); or delete the data directory to start afresh`,
  );
}

/**
 * @param {string | undefined} requiredVersion
 * @returns {Promise<string | undefined>}
 */
async function findPostgresBinDir(requiredVersion) {
  const debianRoot = '/usr/lib/postgresql';
  /** @type {string[]} */
  let versions = [];
  try {
    versions = fs.readdirSync(debianRoot).sort((a, b) => Number(b) - Number(a));
  } catch {
    // Not Debian's layout; PATH may still have them.
  }
  const candidates = versions.map((version) => path.join(debianRoot, version, 'bin'));
  const pgCtlOnPath = findExecutable('pg_ctl');
  // Through the symlink: initdb and postgres sit next to the real pg_ctl, not next to a link to it.
  if (pgCtlOnPath) candidates.push(path.dirname(fs.realpathSync(pgCtlOnPath)));
  for (const dir of candidates) {
    const hasServerTools = ['initdb', 'pg_ctl', 'postgres'].every(
      (tool) => findExecutable(tool, [dir]) === path.join(dir, tool),
    );
    if (!hasServerTools) continue;
    if (requiredVersion === undefined || (await majorVersion(dir)) === requiredVersion) return dir;
  }
  return undefined;
}

/**
 * The major version of the server binaries in `dir`, in PG_VERSION's form ("15").
 * @param {string} dir
 * @returns {Promise<string | undefined>}
 */
async function majorVersion(dir) {
  // "postgres (PostgreSQL) 15.14 (Debian 15.14-0+deb12u1)"
  const result = await runCommand(path.join(dir, 'postgres'), ['--version']);
  return /\(PostgreSQL\) (\d+)/.exec(result.output)?.[1];
}

/** @param {number} port */
function privateUrl(port) {
  return `postgresql://${SUPERUSER}@127.0.0.1:${port}/postgres`;
}

/**
 * Whether the server at `url` accepts these credentials and answers `SELECT 1`.
 * @param {string} url
 * @returns {Promise<Probe>}
 */
async function probePostgres(url) {
  try {
    await withClient(url, (client) => client.query('SELECT 1'));
    return { ok: true };
  } catch (error) {
    return { ok: false, reason: /** @type {Error} */ (error).message || String(error) };
  }
}

/**
 * Creates database `name` on the server at `adminUrl` and returns its URL.
 * @param {string} adminUrl  any database on that server, usually /postgres
 * @param {string} name
 * @returns {Promise<string>}
 */
async function createDatabase(adminUrl, name) {
  await withClient(adminUrl, (client) => client.query(`CREATE DATABASE ${quoteIdentifier(name)}`));
  return withDatabase(adminUrl, name);
}

/**
 * Drops database `name` if it exists, disconnecting whoever still uses it.
 * @param {string} adminUrl
 * @param {string} name
 * @returns {Promise<void>}
 */
async function dropDatabase(adminUrl, name) {
  await withClient(adminUrl, async (client) => {
    try {
      await client.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(name)} WITH (FORCE)`);
    } catch (error) {
      // 42601 syntax_error: WITH (FORCE) needs PostgreSQL 13; disconnect the sessions ourselves.
      if (/** @type {{ code?: string }} */ (error).code !== '42601') throw error;
      await client.query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
        [name],
      );
      await client.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(name)}`);
    }
  });
}

/**
 * `url` pointing at database `name` instead; user, host and query parameters are kept.
 * @param {string} url
 * @param {string} name
 * @returns {string}
 */
function withDatabase(url, name) {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(name)}`;
  return parsed.toString();
}

/**
 * Opens one connection, runs `use`, and always closes it.
 * @template T
 * @param {string} url
 * @param {(client: import('pg').Client) => Promise<T>} use
 * @returns {Promise<T>}
 */
async function withClient(url, use) {
  // Required here, not at the top: index.cjs (and so ensureRedis) must load even before
  // `npm install` has put pg in node_modules.
  /** @type {typeof import('pg')} */
  const pg = require('pg');
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  // A server that drops the connection emits 'error' on the client; without a listener that
  // would crash the process instead of failing the query.
  client.on('error', () => undefined);
  try {
    await client.connect();
    return await use(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** @param {string} name */
function quoteIdentifier(name) {
  return `"${name.replaceAll('"', '""')}"`;
}

/** @param {string} value */
function shellQuote(value) {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

module.exports = { ensurePostgres, probePostgres, createDatabase, dropDatabase, withDatabase };
