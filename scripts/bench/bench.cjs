#!/usr/bin/env node
'use strict';
/**
 * `npm run bench [-- --quick] [-- --only <phase,...>]`: the performance goals of issue 10, measured in
 * one run against a ceiling measured in the same run (docs/benchmarks/README.md).
 *
 * Starts Redis and PostgreSQL (scripts/infra), a bench database, demo-core, one worker and the api
 * on loopback, with a demo tenant whose WOPI client profile requires proof keys: the bench makes an
 * RSA key pair, serves a discovery document with its <proof-key> on a loopback port, and signs every
 * WOPI request as Office does (X-WOPI-Proof over token + URL + timestamp, X-WOPI-TimeStamp). wrk
 * (Debian package, installed when missing) drives the api and a bare-Fastify ceiling
 * (ceiling-server.cjs), pinned apart with taskset: loader on CPU 0, server on CPU 1. Progress goes to
 * stderr; the JSON report and a markdown table of ratios go to bench-results/.
 *
 * Phases: check-file-info, lock-put-unlock, get-file, put-latency, data-volume, processes,
 * large-file (the former `npm run bench`: 1 GiB PutFile and GetFile, peak memory).
 */
const { spawn, spawnSync } = require('node:child_process');
const { createHash, generateKeyPairSync, randomBytes, sign } = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { Readable } = require('node:stream');

const root = path.resolve(__dirname, '../..');
const infra = require('../infra/index.cjs');
const dist = (p) => require(path.join(root, 'dist', p));
const { SecretBox } = dist('libs/tenancy/src/secret-box.js');
const { generateApiKey } = dist('libs/tenancy/src/index.js');
// The gateway has no default secrets (docs/security.md): the bench makes its own for each run.
const SECRETS_ENCRYPTION_KEY = randomBytes(32).toString('base64');
const ACCESS_TOKEN_SIGNING_KEY = randomBytes(32).toString('base64url');
const { signRequest, EMPTY_BODY_SHA256 } = dist('libs/core-app-client/src/request-signing.js');
const { proofSignedBytes, toDotNetTicks } = dist('libs/wopi/src/index.js');
const { summariseCpuProfile } = require('./cpu-profile.cjs');
const roundTrips = require('./round-trips.cjs');

const args = process.argv.slice(2);
const QUICK = args.includes('--quick');
const onlyArg = args.find((a) => a.startsWith('--only'));
const ONLY = onlyArg
  ? (onlyArg.includes('=') ? onlyArg.split('=')[1] : args[args.indexOf(onlyArg) + 1]).split(',')
  : undefined;
const PHASES = [
  'check-file-info',
  'lock-put-unlock',
  'get-file',
  'put-latency',
  'data-volume',
  'processes',
  'backends',
  'pipeline',
];
// Not in a default run: `--only round-trips` lists what one Lock, PutFile and Unlock send to
// PostgreSQL and Redis (statement logging on the bench database, MONITOR on the bench's Redis).
const wanted = (phase) => (ONLY ? ONLY.includes(phase) : PHASES.includes(phase));

// Durations (seconds of load per measurement): ~5 minutes in all, ~1 minute with --quick.
const D = QUICK
  ? {
      redisOps: 100_000,
      pg: 5,
      warmup: 5,
      cfi: 6,
      ceiling: 4,
      cycle: 6,
      put: 5,
      data: 5,
      procs: 5,
      profile: 5,
      pipeline: 3,
      getReps: 1,
      bigMiB: 256,
      seedRows: 100_000,
    }
  : {
      redisOps: 300_000,
      pg: 10,
      warmup: 10,
      cfi: 20,
      ceiling: 10,
      cycle: 20,
      put: 15,
      data: 15,
      procs: 15,
      profile: 15,
      pipeline: 6,
      getReps: 3,
      bigMiB: 1024,
      seedRows: 1_000_000,
    };
const CONNECTIONS = 32;
const CYCLE_CONNECTIONS = 4;
const LOADER_CPU = '0';
const SERVER_CPU = os.cpus().length > 1 ? '1' : '0';
const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim() || 100);
const MIB = 1024 * 1024;
const CHUNK = randomBytes(MIB);

const t0 = Date.now();
const progress = (line) => process.stderr.write(`[bench +${((Date.now() - t0) / 1000).toFixed(0)}s] ${line}\n`);

// ---------------------------------------------------------------------------------------------
// Processes and measurement helpers

async function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const children = [];
/** A node process from the build, pinned to `cpu` when given. */
function startNode(script, env, { cpu, nodeArgs = [] } = {}) {
  const argv = [...nodeArgs, path.join(root, script)];
  const child = cpu
    ? spawn('taskset', ['-c', cpu, process.execPath, ...argv], { env: { ...process.env, ...env }, stdio: 'pipe' })
    : spawn(process.execPath, argv, { env: { ...process.env, ...env }, stdio: 'pipe' });
  let output = '';
  child.stdout.on('data', (c) => (output = (output + c).slice(-20_000)));
  child.stderr.on('data', (c) => (output = (output + c).slice(-20_000)));
  child.output = () => output;
  child.exited = new Promise((resolve) => child.once('exit', resolve));
  children.push(child);
  return child;
}

async function stop(child) {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  await child.exited;
}

async function waitFor(url, child) {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null)
      throw new Error(`${url}: process exited ${child.exitCode}\n${child.output()}`);
    if (
      await fetch(url).then(
        (r) => r.ok,
        () => false,
      )
    )
      return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not answer\n${child ? child.output() : ''}`);
}

/** utime + stime of a process, in ms (/proc/<pid>/stat fields 14 and 15). */
function cpuMs(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
}

function memoryOf(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN);
  return { rssMiB: kb('VmRSS') / 1024, peakMiB: kb('VmHWM') / 1024 };
}

function loadAverage() {
  return os.loadavg().map((n) => Math.round(n * 100) / 100);
}

function ensureWrk() {
  if (spawnSync('wrk', ['-v']).error === undefined) return;
  const isRoot = process.getuid?.() === 0;
  const asRoot = (command) => (isRoot ? command : ['sudo', '-n', ...command]);
  const lockWait = ['-o', 'DPkg::Lock::Timeout=600'];
  progress('wrk is missing: installing the Debian package');
  for (const command of [
    ['apt-get', ...lockWait, 'update'],
    ['apt-get', ...lockWait, 'install', '-y', '--no-install-recommends', 'wrk'],
  ]) {
    const [program, ...rest] = asRoot(command);
    const result = spawnSync(program, rest, {
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      encoding: 'utf8',
      timeout: 15 * 60 * 1000,
    });
    if (result.status !== 0)
      throw new Error(`\`${[program, ...rest].join(' ')}\` failed:\n${result.stdout}${result.stderr}`.slice(-4000));
  }
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'wopi-bench-'));

/**
 * Runs wrk on the loader CPU against `baseUrl` for `seconds`, each thread sending its own list of
 * requests in turn (threads[i]); measures the CPU the `pids` used meanwhile.
 */
/** Reads counters of the backends (PostgreSQL transactions, Redis commands) when set by main(). */
let backendCounters;

async function runWrk(label, baseUrl, threads, { seconds, connections, pids = [] }) {
  const poolFile = path.join(work, `${label}.pool.lua`);
  const outFile = path.join(work, `${label}.out.json`);
  fs.writeFileSync(poolFile, `return ${toLua({ threads })}\n`);
  const threadCount = Math.min(connections, threads.length > 1 ? threads.length : 2);
  const countersBefore = pids.length && backendCounters ? await backendCounters() : undefined;
  const before = pids.map(cpuMs);
  const startedLoad = loadAverage();
  const result = await new Promise((resolve) => {
    const child = spawn(
      'taskset',
      [
        '-c',
        LOADER_CPU,
        'wrk',
        `-t${threadCount}`,
        `-c${connections}`,
        `-d${seconds}s`,
        '--timeout',
        '10s',
        '-s',
        path.join(__dirname, 'wrk-pool.lua'),
        baseUrl,
      ],
      { env: { ...process.env, WRK_POOL: poolFile, WRK_OUT: outFile }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let text = '';
    child.stdout.on('data', (c) => (text += c));
    child.stderr.on('data', (c) => (text += c));
    child.on('exit', (code) => resolve({ code, text }));
  });
  if (result.code !== 0 || !fs.existsSync(outFile))
    throw new Error(`wrk ${label} failed (${result.code}):\n${result.text}`);
  const out = JSON.parse(fs.readFileSync(outFile, 'utf8'));
  const cpu = pids.map((pid, i) => cpuMs(pid) - before[i]);
  let backendPerRequest;
  if (countersBefore) {
    // PostgreSQL publishes a backend's counters within a second of its last transaction.
    await new Promise((r) => setTimeout(r, 1500));
    const after = await backendCounters();
    backendPerRequest = Object.fromEntries(
      Object.entries(after).map(([name, n]) => [
        name,
        out.requests ? round((n - countersBefore[name]) / out.requests, 2) : null,
      ]),
    );
  }
  const seconds_ = out.durationUs / 1e6;
  const errors = Object.values(out.errors).reduce((a, b) => a + b, 0);
  const summary = {
    label,
    connections,
    seconds: round(seconds_),
    requests: out.requests,
    requestsPerSecond: round(out.requests / seconds_),
    statuses: out.statuses,
    errors: out.errors,
    errorShare: out.requests ? round((errors / out.requests) * 100, 2) : 100,
    latencyMs: {
      p50: round(out.latencyUs.p50 / 1000, 2),
      p90: round(out.latencyUs.p90 / 1000, 2),
      p99: round(out.latencyUs.p99 / 1000, 2),
      max: round(out.latencyUs.max / 1000, 2),
    },
    serverCpuMs: cpu.map((c) => round(c)),
    serverCpuMsPerRequest: cpu.map((c) => (out.requests ? round(c / out.requests, 3) : null)),
    loadAverageAtStart: startedLoad,
    ...(backendPerRequest ? { perRequest: backendPerRequest } : {}),
  };
  progress(
    `${label}: ${summary.requestsPerSecond} req/s, p99 ${summary.latencyMs.p99} ms, errors ${summary.errorShare} %` +
      (pids.length ? `, server CPU ${summary.serverCpuMsPerRequest.join(' / ')} ms/req` : '') +
      (backendPerRequest ? `, per request ${JSON.stringify(backendPerRequest)}` : ''),
  );
  return summary;
}

function toLua(value) {
  if (value === null || value === undefined) return 'nil';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return JSON.stringify(value); // ASCII only here: JSON escapes are Lua escapes
  if (Array.isArray(value)) return `{${value.map(toLua).join(',')}}`;
  return `{${Object.entries(value)
    .map(([k, v]) => `[${JSON.stringify(k)}]=${toLua(v)}`)
    .join(',')}}`;
}

const round = (n, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

// ---------------------------------------------------------------------------------------------
// The WOPI client stand-in: proof keys, discovery, signing as Office signs

const proofKeys = generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 0x10001 });

function discoveryXml() {
  const jwk = proofKeys.publicKey.export({ format: 'jwk' });
  const modulus = Buffer.from(jwk.n, 'base64url').toString('base64');
  const exponent = Buffer.from(jwk.e, 'base64url').toString('base64');
  return (
    '<?xml version="1.0" encoding="utf-8"?>\n<wopi-discovery>\n  <net-zone name="external-http">\n' +
    '    <app name="Bench" checkLicense="false">\n' +
    '      <action name="view" ext="docx" urlsrc="http://127.0.0.1/view?" />\n' +
    '      <action name="edit" ext="docx" urlsrc="http://127.0.0.1/edit?" />\n' +
    '      <action name="getinfo" ext="wopitest" urlsrc="http://127.0.0.1/getinfo?" />\n' +
    `    </app>\n  </net-zone>\n  <proof-key modulus="${modulus}" exponent="${exponent}" />\n</wopi-discovery>\n`
  );
}

async function startDiscovery() {
  const xml = discoveryXml();
  const server = http.createServer((request, response) => {
    response.setHeader('content-type', 'text/xml; charset=utf-8');
    response.end(xml);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}/hosting/discovery`, close: () => server.close() };
}

/** X-WOPI-Proof and X-WOPI-TimeStamp for a request to `url` (absolute, as the client built it). */
function proofHeaders(accessToken, url, timestampMs = Date.now()) {
  const ticks = toDotNetTicks(timestampMs);
  const signed = proofSignedBytes({ accessToken, url, timestampTicks: ticks });
  return {
    'X-WOPI-Proof': sign('sha256', signed, proofKeys.privateKey).toString('base64'),
    'X-WOPI-TimeStamp': String(ticks),
  };
}

/** One wrk request signed now; the timestamps step back 1 ms each so no two are equal. */
let stamp = Date.now();
function signedWopiRequest(session, method, suffix, headers = {}, bodyBytes) {
  const pathWithQuery = `/wopi/files/${session.fileId}${suffix}?access_token=${encodeURIComponent(session.accessToken)}`;
  stamp -= 1;
  return {
    method,
    path: pathWithQuery,
    headers: { ...proofHeaders(session.accessToken, `${session.publicBaseUrl}${pathWithQuery}`, stamp), ...headers },
    body_bytes: bodyBytes,
  };
}

async function wopiFetch(session, method, suffix, headers = {}, body) {
  const pathWithQuery = `/wopi/files/${session.fileId}${suffix}?access_token=${encodeURIComponent(session.accessToken)}`;
  const url = `${session.publicBaseUrl}${pathWithQuery}`;
  return fetch(`${session.apiUrl}${pathWithQuery}`, {
    method,
    headers: { ...proofHeaders(session.accessToken, url), ...headers },
    ...(body === undefined ? {} : { body, duplex: 'half' }),
  });
}

// ---------------------------------------------------------------------------------------------
// Bytes

function bodyStream(bytes) {
  let sent = 0;
  return Readable.from(
    (function* () {
      while (sent < bytes) {
        const n = Math.min(CHUNK.length, bytes - sent);
        sent += n;
        yield n === CHUNK.length ? CHUNK : CHUNK.subarray(0, n);
      }
    })(),
  );
}

function sha256Of(bytes) {
  const hash = createHash('sha256');
  for (let sent = 0; sent < bytes; sent += CHUNK.length)
    hash.update(CHUNK.subarray(0, Math.min(CHUNK.length, bytes - sent)));
  return hash.digest('hex');
}

/** Reads a response to the end; MiB/s and whether the bytes are the expected ones. */
async function drain(response, expectedSha256) {
  const started = performance.now();
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of response.body) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  const seconds = (performance.now() - started) / 1000;
  return { bytes, seconds, mibPerSecond: bytes / MIB / seconds, intact: hash.digest('hex') === expectedSha256 };
}

// ---------------------------------------------------------------------------------------------

function withApplicationName(url, name) {
  const parsed = new URL(url);
  parsed.searchParams.set('application_name', name);
  return parsed.toString();
}

async function main() {
  const started = new Date();
  if (ONLY && ONLY.includes('large-file')) {
    // The former `npm run bench`: 1 GiB PutFile and GetFile through one api, peak memory.
    const result = spawnSync(process.execPath, [path.join(__dirname, 'large-file.cjs')], { stdio: 'inherit' });
    if (result.status !== 0) process.exitCode = 1;
    if (ONLY.length === 1) return;
  }
  ensureWrk();
  progress(
    `mode ${QUICK ? 'quick' : 'full'}; phases ${(ONLY ?? PHASES).join(', ')}; load average ${loadAverage().join(' ')}`,
  );
  // A Redis of its own (unless BENCH_REDIS_URL names one): commands per request are then the
  // gateway's alone, and other users of a shared Redis neither slow nor count in the run.
  const redis = await infra.ensureRedis({
    url: process.env.BENCH_REDIS_URL,
    dataDir: path.join(root, '.local/bench/redis'),
    preferredPort: 0,
  });
  const postgres = await infra.ensurePostgres({
    url: process.env.BENCH_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres',
    dataDir: path.join(root, '.local/bench/postgres'),
    preferredPort: 0,
  });
  const dbName = `wopi_bench_${Date.now()}`;
  const databaseUrl = await infra.createDatabase(postgres.url, dbName);
  const discovery = await startDiscovery();
  const report = {
    benchmark: 'wopi-gateway-hot-path',
    mode: QUICK ? 'quick' : 'full',
    startedAt: started.toISOString(),
    machine: machine(),
    setup: {
      loader: `wrk, pinned to CPU ${LOADER_CPU}`,
      server: `api and ceiling pinned to CPU ${SERVER_CPU}; demo-core, worker, Redis, PostgreSQL unpinned`,
      proofKeys: "required by the tenant's WOPI client profile; every WOPI request signed (RSA-2048, SHA-256)",
      permissionCacheTtlMs: 30000,
    },
    phases: {},
    goals: [],
  };
  try {
    progress('migrating the bench database');
    const migrate = spawnSync(process.execPath, ['scripts/prisma-migrate.mjs', 'deploy'], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: databaseUrl },
      encoding: 'utf8',
    });
    if (migrate.status !== 0) throw new Error(`migrate failed: ${migrate.stdout}${migrate.stderr}`);
    if (wanted('round-trips')) await roundTrips.logStatements(postgres.url, dbName);

    const coreSecret = randomBytes(24).toString('base64url');
    const corePort = await freePort();
    const coreUrl = `http://127.0.0.1:${corePort}`;
    const core = startNode('dist/apps/demo-core/src/main.js', {
      DEMO_CORE_PORT: String(corePort),
      DEMO_CORE_DATA_DIR: path.join(work, 'demo-core'),
      DEMO_CORE_API_SECRET: coreSecret,
      DEMO_CORE_MAX_UPLOAD_BYTES: String(4 * 1024 * MIB),
      DEMO_CORE_FAULTS: 'enabled',
      DEMO_CORE_LOG_LEVEL: 'warn',
    });
    await waitFor(`${coreUrl}/healthz`, core);
    const coreFetch = (method, pathWithQuery, { body, sha256 = EMPTY_BODY_SHA256, headers = {} } = {}) =>
      fetch(`${coreUrl}${pathWithQuery}`, {
        method,
        headers: {
          ...signRequest(coreSecret, { method, pathWithQuery, contentSha256: sha256, timestampMs: Date.now() }),
          ...headers,
        },
        ...(body === undefined ? {} : { body, duplex: 'half' }),
      });

    const queuePrefix = `bench-${Date.now()}`;
    const gatewayEnv = {
      DATABASE_URL: databaseUrl,
      REDIS_URL: redis.url,
      BLOB_STAGING_DIR: path.join(work, 'staging'),
      QUEUE_PREFIX: queuePrefix,
      LOG_LEVEL: process.env.BENCH_API_LOG_LEVEL ?? 'warn',
      SECRETS_ENCRYPTION_KEY,
      ACCESS_TOKEN_SIGNING_KEY,
      // Everything the bench runs is on loopback.
      EGRESS_ALLOW_PRIVATE_NETWORKS: 'true',
    };
    // application_name tells the api's statements from the worker's in the round-trips phase.
    const named = (name) => ({ ...gatewayEnv, DATABASE_URL: withApplicationName(databaseUrl, name) });
    const worker = startNode('dist/apps/worker/src/main.js', named('worker'));
    const startApi = async (extraArgs = {}) => {
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      const api = startNode(
        'dist/apps/api/src/main.js',
        { ...named('api'), PORT: String(port), HOST: '127.0.0.1', PUBLIC_BASE_URL: url },
        { cpu: extraArgs.cpu === undefined ? SERVER_CPU : extraArgs.cpu, nodeArgs: extraArgs.nodeArgs },
      );
      await waitFor(`${url}/readyz`, api);
      api.url = url;
      return api;
    };
    const api = await startApi();
    progress(`api ${api.url} (pid ${api.pid}), demo-core ${coreUrl}, worker pid ${worker.pid}`);

    // The demo tenant, its session key and its WOPI client profile requiring proof keys.
    const { Client } = require('pg');
    const db = new Client({ connectionString: databaseUrl });
    // When a phase fails, the clean-up drops the database under this client: that is no error.
    db.on('error', () => undefined);
    await db.connect();
    const Redis = require('ioredis');
    const redisClient = new Redis(redis.url, { lazyConnect: false, maxRetriesPerRequest: 1 });
    backendCounters = async () => {
      const pg = await db.query(
        'SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = current_database()',
      );
      const info = await redisClient.info('stats');
      return {
        // Whole-system counts (api, worker and these reads, a few against thousands of requests).
        postgresTransactions: Number(pg.rows[0].n),
        redisCommands: Number(/total_commands_processed:(\d+)/.exec(info)?.[1] ?? NaN),
      };
    };
    const key = generateApiKey();
    const tenantId = (
      await db.query(
        `INSERT INTO tenants (id, slug, display_name, core_app_base_url, core_app_credential, max_file_bytes, updated_at)
         VALUES (gen_random_uuid(), 'bench', 'Bench', $1, $2, $3, now()) RETURNING id`,
        [`${coreUrl}/core/v1`, new SecretBox(SECRETS_ENCRYPTION_KEY).seal(coreSecret), String(4 * 1024 * MIB)],
      )
    ).rows[0].id;
    await db.query(
      `INSERT INTO api_keys (id, tenant_id, kind, name, key_id, secret_hash) VALUES (gen_random_uuid(), $1, 'SESSION', 'bench', $2, $3)`,
      [tenantId, key.keyId, key.secretHash],
    );
    await db.query(
      `INSERT INTO wopi_client_profiles (id, tenant_id, name, kind, discovery_url, proof_keys_required, is_default, updated_at)
       VALUES (gen_random_uuid(), $1, 'bench-office', 'MICROSOFT_365', $2, true, true, now())`,
      [tenantId, discovery.url],
    );

    const files = (await (await coreFetch('GET', '/core/v1/files')).json()).files;
    const refOf = (name) => files.find((f) => f.name === name)?.ref;
    const newSession = async (fileRef, apiProcess = api, userId = 'alice') => {
      const response = await fetch(`${apiProcess.url}/api/v1/sessions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ fileRef, userId }),
      });
      if (!response.ok) throw new Error(`session: ${response.status} ${await response.text()}`);
      const body = await response.json();
      return { ...body, apiUrl: apiProcess.url, publicBaseUrl: apiProcess.url };
    };
    /** A copy of a sample in demo-core, so that each wrk thread has its own file to lock. */
    const copyOf = async (name, bytes = 1024) => {
      const pathWithQuery = `/core/v1/files/${refOf('Welcome.docx')}/siblings?userId=alice&name=${encodeURIComponent(name)}&onConflict=overwrite`;
      const response = await coreFetch('POST', pathWithQuery, {
        body: bodyStream(bytes),
        sha256: sha256Of(bytes),
        headers: { 'idempotency-key': `bench-${randomBytes(8).toString('hex')}`, 'content-length': String(bytes) },
      });
      if (!response.ok) throw new Error(`copy ${name}: ${response.status} ${await response.text()}`);
      return (await response.json()).ref;
    };

    // A CheckFileInfo that works, proofs on: else nothing below means anything.
    const cfiSession = await newSession(refOf('validator.wopitest'));
    const probe = await wopiFetch(cfiSession, 'GET', '');
    const checkFileInfoJson = await probe.text();
    if (probe.status !== 200) throw new Error(`CheckFileInfo answered ${probe.status}: ${checkFileInfoJson}`);
    const unsigned = await fetch(
      `${api.url}/wopi/files/${cfiSession.fileId}?access_token=${encodeURIComponent(cfiSession.accessToken)}`,
    );
    report.setup.unsignedCheckFileInfoStatus = unsigned.status;
    progress(`proofs enforced: an unsigned CheckFileInfo answers ${unsigned.status}`);

    const ceiling = startNode(
      'scripts/bench/ceiling-server.cjs',
      {
        BENCH_CEILING_CHECK_FILE_INFO: checkFileInfoJson,
        BENCH_CEILING_DIR: fs.mkdtempSync(path.join(work, 'ceiling-')),
      },
      { cpu: SERVER_CPU },
    );
    await new Promise((resolve) => ceiling.stdout.once('data', resolve));
    const ceilingUrl = ceiling.output().trim().split('\n')[0];
    const ceilingSession = { ...cfiSession, apiUrl: ceilingUrl, publicBaseUrl: ceilingUrl };

    /**
     * For a goal not met: a second api under `node --cpu-prof`; `prepare` warms it up and returns the
     * measured run. Only the samples of that run are summarised: the profile also covers start-up,
     * warm-up and exit, and its clock is its own, so the window is aligned on its end (the exit).
     */
    const profileApi = async (what, prepare) => {
      progress(`${what}: goal not met, profiling a second api process (node --cpu-prof)`);
      const profileDir = fs.mkdtempSync(path.join(work, 'prof-'));
      const profiled = await startApi({ nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] });
      let run;
      let measuredFrom;
      let measuredUntil;
      try {
        const measure = await prepare(profiled);
        measuredFrom = Date.now();
        run = await measure();
        measuredUntil = Date.now();
      } finally {
        await stop(profiled);
      }
      const exitedAt = Date.now();
      const profileFile = fs.readdirSync(profileDir).find((f) => f.endsWith('.cpuprofile'));
      if (!profileFile) return { error: 'no profile written' };
      return {
        run,
        ...summariseCpuProfile(JSON.parse(fs.readFileSync(path.join(profileDir, profileFile), 'utf8')), root, {
          fromEndUs: (exitedAt - measuredFrom) * 1000,
          untilEndUs: (exitedAt - measuredUntil) * 1000,
        }),
      };
    };

    const cfiPool = (session, n = 2000) => [Array.from({ length: n }, () => signedWopiRequest(session, 'GET', ''))];

    // -------------------------------------------------------------------------- CheckFileInfo
    let cfiGateway;
    if (wanted('check-file-info')) {
      progress('CheckFileInfo: warming up');
      await runWrk('cfi-warmup', api.url, cfiPool(cfiSession, 200), { seconds: D.warmup, connections: CONNECTIONS });
      cfiGateway = await runWrk('cfi-gateway', api.url, cfiPool(cfiSession), {
        seconds: D.cfi,
        connections: CONNECTIONS,
        pids: [api.pid],
      });
    }
    if (wanted('check-file-info')) {
      const cfiCeiling = await runWrk('cfi-ceiling', ceilingUrl, cfiPool(ceilingSession, 200), {
        seconds: D.ceiling,
        connections: CONNECTIONS,
        pids: [ceiling.pid],
      });
      report.phases.checkFileInfo = { gateway: cfiGateway, ceiling: cfiCeiling };
      const share = cfiGateway.requestsPerSecond / cfiCeiling.requestsPerSecond;
      goal('CheckFileInfo req/s ≥ 25 % of the ceiling', share * 100, '%', 25, '≥');
      goal('CheckFileInfo p99 at 32 connections ≤ 10 ms', cfiGateway.latencyMs.p99, 'ms', 10, '≤');
      if (share < 0.25 || cfiGateway.latencyMs.p99 > 10) {
        report.phases.checkFileInfo.cpuProfile = await profileApi('CheckFileInfo', async (profiled) => {
          const session = await newSession(refOf('validator.wopitest'), profiled);
          await runWrk('cfi-profiled-warmup', profiled.url, cfiPool(session, 200), {
            seconds: D.warmup,
            connections: CONNECTIONS,
          });
          return () =>
            runWrk('cfi-profiled', profiled.url, cfiPool(session), {
              seconds: D.profile,
              connections: CONNECTIONS,
              pids: [profiled.pid],
            });
        });
      }
    }

    // -------------------------------------------------------------------------- Lock → PutFile → Unlock
    if (wanted('lock-put-unlock')) {
      progress('Lock → PutFile(1 MiB) → Unlock: preparing one file per connection');
      const cyclePools = [];
      const ceilingPools = [];
      const cycleMakers = [];
      for (let i = 0; i < CYCLE_CONNECTIONS; i++) {
        const session = await newSession(await copyOf(`bench-cycle-${i}.docx`));
        const lock = `bench-lock-${i}`;
        const cycle = (s) => {
          const list = [];
          for (let k = 0; k < 100; k++)
            list.push(
              signedWopiRequest(s, 'POST', '', { 'X-WOPI-Override': 'LOCK', 'X-WOPI-Lock': lock }),
              signedWopiRequest(
                s,
                'POST',
                '/contents',
                { 'X-WOPI-Override': 'PUT', 'X-WOPI-Lock': lock, 'Content-Type': 'application/octet-stream' },
                MIB,
              ),
              signedWopiRequest(s, 'POST', '', { 'X-WOPI-Override': 'UNLOCK', 'X-WOPI-Lock': lock }),
            );
          return list;
        };
        cyclePools.push(cycle(session));
        ceilingPools.push(cycle({ ...session, apiUrl: ceilingUrl, publicBaseUrl: ceilingUrl }));
        cycleMakers.push((apiUrl) => cycle({ ...session, apiUrl, publicBaseUrl: apiUrl }));
      }
      const gateway = await runWrk('cycle-gateway', api.url, cyclePools, {
        seconds: D.cycle,
        connections: CYCLE_CONNECTIONS,
        pids: [api.pid],
      });
      const ceilingRun = await runWrk('cycle-ceiling', ceilingUrl, ceilingPools, {
        seconds: D.ceiling,
        connections: CYCLE_CONNECTIONS,
        pids: [ceiling.pid],
      });
      gateway.cyclesPerSecond = round(gateway.requestsPerSecond / 3);
      ceilingRun.cyclesPerSecond = round(ceilingRun.requestsPerSecond / 3);
      report.phases.lockPutUnlock = { connections: CYCLE_CONNECTIONS, bodyBytes: MIB, gateway, ceiling: ceilingRun };
      // What the api said about the answers that were not 200 (its warnings and errors).
      report.phases.lockPutUnlock.apiWarnings = api
        .output()
        .split('\n')
        .filter((line) => /"level":(40|50|60)|"level":"(warn|error|fatal)"/.test(line))
        .slice(-8)
        .map((line) => line.slice(0, 1500));
      goal(
        'Lock → PutFile(1 MiB) → Unlock cycles/s ≥ 50 % of the ceiling',
        (gateway.cyclesPerSecond / ceilingRun.cyclesPerSecond) * 100,
        '%',
        50,
        '≥',
      );
      if (gateway.cyclesPerSecond < ceilingRun.cyclesPerSecond / 2)
        report.phases.lockPutUnlock.cpuProfile = await profileApi('Lock → PutFile → Unlock', async (profiled) => {
          const pools = cycleMakers.map((make) => make(profiled.url));
          await runWrk('cycle-profiled-warmup', profiled.url, pools, {
            seconds: D.warmup,
            connections: CYCLE_CONNECTIONS,
          });
          return () =>
            runWrk('cycle-profiled', profiled.url, pools, {
              seconds: D.profile,
              connections: CYCLE_CONNECTIONS,
              pids: [profiled.pid],
            });
        });
    }

    // -------------------------------------------------------------------------- Round trips of a save cycle
    if (wanted('round-trips')) {
      const session = await newSession(await copyOf('bench-round-trips.docx'));
      const lock = { 'X-WOPI-Lock': 'bench-round-trips' };
      const requests = {
        Lock: () => wopiFetch(session, 'POST', '', { 'X-WOPI-Override': 'LOCK', ...lock }),
        PutFile: () =>
          wopiFetch(
            session,
            'POST',
            '/contents',
            {
              'X-WOPI-Override': 'PUT',
              ...lock,
              'Content-Type': 'application/octet-stream',
              'Content-Length': String(MIB),
            },
            bodyStream(MIB),
          ),
        Unlock: () => wopiFetch(session, 'POST', '', { 'X-WOPI-Override': 'UNLOCK', ...lock }),
      };
      report.phases.roundTrips = await roundTrips.trace(
        { redisUrl: redis.url, adminUrl: postgres.url, dbName, pids: { api: api.pid, worker: worker.pid } },
        requests,
      );
      progress(`round trips:\n${roundTrips.format(report.phases.roundTrips)}`);
    }

    // -------------------------------------------------------------------------- GetFile, large files
    if (wanted('get-file')) {
      const bytes100 = 100 * MIB;
      const bigBytes = D.bigMiB * MIB;
      progress(`GetFile: writing a 100 MiB and a ${D.bigMiB} MiB file into demo-core`);
      const ref100 = await copyOf('bench-100m.docx', bytes100);
      const refBig = await copyOf('bench-big.docx', bigBytes);
      const sha100 = sha256Of(bytes100);
      const shaBig = sha256Of(bigBytes);
      const session100 = await newSession(ref100);
      const sessionBig = await newSession(refBig);
      const viaGateway = [];
      const direct = [];
      for (let rep = 0; rep < D.getReps; rep++) {
        direct.push(await drain(await coreFetch('GET', `/core/v1/files/${ref100}/content?userId=alice`), sha100));
        viaGateway.push(await drain(await wopiFetch(session100, 'GET', '/contents'), sha100));
      }
      const median = (runs) =>
        round([...runs].map((r) => r.mibPerSecond).sort((a, b) => a - b)[Math.floor(runs.length / 2)]);
      // VmHWM alone can hide growth (the process may have peaked higher at start-up), so RSS is
      // also sampled every 50 ms while the file streams.
      const baseline = memoryOf(api.pid);
      let rssMaxMiB = baseline.rssMiB;
      const sampler = setInterval(() => (rssMaxMiB = Math.max(rssMaxMiB, memoryOf(api.pid).rssMiB)), 50);
      const big = await drain(await wopiFetch(sessionBig, 'GET', '/contents'), shaBig).finally(() =>
        clearInterval(sampler),
      );
      const after = memoryOf(api.pid);
      const rssGrowthMiB = Math.max(rssMaxMiB, after.rssMiB) - baseline.rssMiB;
      report.phases.getFile = {
        fileMiB: 100,
        repetitions: D.getReps,
        gatewayMibPerSecond: median(viaGateway),
        directFromDemoCoreMibPerSecond: median(direct),
        allIntact: [...viaGateway, ...direct].every((r) => r.intact && r.bytes === bytes100),
        large: {
          fileMiB: D.bigMiB,
          mibPerSecond: round(big.mibPerSecond),
          intact: big.intact && big.bytes === bigBytes,
          apiRssBeforeMiB: round(baseline.rssMiB),
          apiRssAfterMiB: round(after.rssMiB),
          apiPeakBeforeMiB: round(baseline.peakMiB),
          apiPeakAfterMiB: round(after.peakMiB),
          apiPeakGrowthMiB: round(after.peakMiB - baseline.peakMiB),
          apiRssMaxWhileServingMiB: round(Math.max(rssMaxMiB, after.rssMiB)),
          apiRssGrowthMiB: round(rssGrowthMiB),
        },
      };
      progress(
        `GetFile 100 MiB: gateway ${median(viaGateway)} MiB/s, demo-core direct ${median(direct)} MiB/s; ${D.bigMiB} MiB: RSS growth ${round(rssGrowthMiB)} MiB, VmHWM growth ${round(after.peakMiB - baseline.peakMiB)} MiB`,
      );
      goal(
        'GetFile 100 MiB ≥ 80 % of reading it from demo-core directly',
        (median(viaGateway) / median(direct)) * 100,
        '%',
        80,
        '≥',
      );
      if (median(viaGateway) < 0.8 * median(direct))
        report.phases.getFile.cpuProfile = await profileApi('GetFile 100 MiB', async (profiled) => {
          const session = await newSession(ref100, profiled);
          await drain(await wopiFetch(session, 'GET', '/contents'), sha100);
          return async () => {
            const before = cpuMs(profiled.pid);
            const runs = [];
            for (let rep = 0; rep < Math.max(2, D.getReps); rep++)
              runs.push(await drain(await wopiFetch(session, 'GET', '/contents'), sha100));
            return {
              label: 'get-file-profiled',
              mibPerSecond: median(runs),
              serverCpuMsPerMiB: round((cpuMs(profiled.pid) - before) / (runs.length * 100), 3),
              requests: runs.length,
            };
          };
        });
      goal(
        `api RSS growth while serving a ${D.bigMiB} MiB file ≤ 16 MB`,
        (Math.max(rssGrowthMiB, after.peakMiB - baseline.peakMiB) * MIB) / 1e6,
        'MB',
        16,
        '≤',
      );
    }

    // -------------------------------------------------------------------------- PutFile, fast vs slow core
    if (wanted('put-latency')) {
      progress('PutFile latency with demo-core answering at once, then in 2 s');
      const pools = [];
      for (let i = 0; i < CYCLE_CONNECTIONS; i++) {
        const session = await newSession(await copyOf(`bench-put-${i}.docx`));
        const lock = `bench-put-lock-${i}`;
        const locked = await wopiFetch(session, 'POST', '', { 'X-WOPI-Override': 'LOCK', 'X-WOPI-Lock': lock });
        if (locked.status !== 200) throw new Error(`lock: ${locked.status}`);
        pools.push(
          Array.from({ length: 200 }, () =>
            signedWopiRequest(
              session,
              'POST',
              '/contents',
              { 'X-WOPI-Override': 'PUT', 'X-WOPI-Lock': lock, 'Content-Type': 'application/octet-stream' },
              64 * 1024,
            ),
          ),
        );
      }
      const fast = await runWrk('put-core-fast', api.url, pools, {
        seconds: D.put,
        connections: CYCLE_CONNECTIONS,
        pids: [api.pid],
      });
      const setFault = async (spec) => {
        const body = JSON.stringify(spec);
        const response = await coreFetch('PUT', '/_control/fault', {
          body,
          sha256: createHash('sha256').update(body).digest('hex'),
          headers: { 'content-type': 'application/json' },
        });
        if (!response.ok) throw new Error(`fault: ${response.status} ${await response.text()}`);
      };
      await setFault({ mode: 'slow', delayMs: 2000 });
      let slow;
      try {
        slow = await runWrk('put-core-slow', api.url, pools, {
          seconds: D.put,
          connections: CYCLE_CONNECTIONS,
          pids: [api.pid],
        });
      } finally {
        await setFault({ mode: 'none' });
      }
      report.phases.putLatency = { bodyBytes: 64 * 1024, coreFast: fast, coreSlow2s: slow };
      goal(
        'PutFile p99 with demo-core at 2 s within 20 % of p99 with it answering at once',
        (slow.latencyMs.p99 / fast.latencyMs.p99) * 100 - 100,
        '% slower',
        20,
        '≤',
      );
    }

    // -------------------------------------------------------------------------- data volume
    if (wanted('data-volume')) {
      const before = await newSession(await copyOf('bench-before-seed.docx'));
      await runWrk('cfi-unseeded-warmup', api.url, cfiPool(before, 200), {
        seconds: D.warmup,
        connections: CONNECTIONS,
      });
      const fewFiles = await runWrk('cfi-unseeded', api.url, cfiPool(before), {
        seconds: D.data,
        connections: CONNECTIONS,
        pids: [api.pid],
      });
      progress(`seeding ${D.seedRows} files and as many versions (INSERT … SELECT generate_series)`);
      const seedStarted = performance.now();
      await db.query(
        `INSERT INTO files (id, tenant_id, core_ref, name, owner_id, current_version, updated_at)
         SELECT 'seed-' || g, $1, 'seed-ref-' || g, 'Seed ' || g || '.docx', 'bench:alice', 1, now()
         FROM generate_series(1, $2::int) AS g`,
        [tenantId, D.seedRows],
      );
      await db.query(
        `INSERT INTO file_versions (id, file_id, number, origin, sha256, size_bytes, write_back_state, core_version, saved_by)
         SELECT gen_random_uuid(), 'seed-' || g, 1, 'WOPI', md5(g::text) || md5(g::text), 1024, 'CONFIRMED', 'v' || g, 'bench:alice'
         FROM generate_series(1, $1::int) AS g`,
        [D.seedRows],
      );
      await db.query('ANALYZE files; ANALYZE file_versions');
      const seedSeconds = round((performance.now() - seedStarted) / 1000);
      const counts = (
        await db.query('SELECT (SELECT count(*) FROM files) AS files, (SELECT count(*) FROM file_versions) AS versions')
      ).rows[0];
      progress(`seeded in ${seedSeconds} s: ${counts.files} files, ${counts.versions} versions`);
      // A fresh session on a file created after the seeding, so nothing of it is cached yet.
      const session = await newSession(await copyOf('bench-after-seed.docx'));
      await runWrk('cfi-seeded-warmup', api.url, cfiPool(session, 200), {
        seconds: D.warmup,
        connections: CONNECTIONS,
      });
      const seeded = await runWrk('cfi-seeded', api.url, cfiPool(session), {
        seconds: D.data,
        connections: CONNECTIONS,
        pids: [api.pid],
      });
      report.phases.dataVolume = {
        seededWith: `INSERT … SELECT generate_series into the bench database: ${counts.files} files, ${counts.versions} file_versions (plus the demo's few)`,
        seedSeconds,
        fewFiles,
        manyFiles: seeded,
      };
      goal(
        `CheckFileInfo req/s with ${D.seedRows} files seeded within 10 % of before`,
        (seeded.requestsPerSecond / fewFiles.requestsPerSecond) * 100 - 100,
        '% change',
        -10,
        '≥',
      );
      goal(
        `server CPU per CheckFileInfo with ${D.seedRows} files seeded within 10 % of before`,
        (seeded.serverCpuMsPerRequest[0] / fewFiles.serverCpuMsPerRequest[0]) * 100 - 100,
        '% change',
        10,
        '≤',
      );
    }

    // -------------------------------------------------------------------------- N processes
    if (wanted('processes')) {
      progress('two api processes, each with 16 connections (wrk on CPU 0, apis unpinned)');
      const second = await startApi({ cpu: null });
      const sessionA = await newSession(refOf('validator.wopitest'));
      const sessionB = await newSession(refOf('validator.wopitest'), second);
      const single = await runWrk('cfi-one-process', api.url, cfiPool(sessionA), {
        seconds: D.procs,
        connections: CONNECTIONS,
        pids: [api.pid],
      });
      const [a, b] = await Promise.all([
        runWrk('cfi-process-a', api.url, cfiPool(sessionA), {
          seconds: D.procs,
          connections: CONNECTIONS / 2,
          pids: [api.pid],
        }),
        runWrk('cfi-process-b', second.url, cfiPool(sessionB), {
          seconds: D.procs,
          connections: CONNECTIONS / 2,
          pids: [second.pid],
        }),
      ]);
      report.phases.processes = {
        cores: os.cpus().length,
        oneProcess: single,
        twoProcesses: {
          totalRequestsPerSecond: round(a.requestsPerSecond + b.requestsPerSecond),
          perProcess: [a, b],
          cpuMsPerRequestPerProcess: [a.serverCpuMsPerRequest[0], b.serverCpuMsPerRequest[0]],
        },
      };
      await stop(second);
    }

    // -------------------------------------------------------------------------- Redis and PostgreSQL alone
    if (wanted('backends')) {
      progress(
        'Redis and PostgreSQL alone: redis-benchmark GET/SET, pgbench on the tenant-by-id query (loader on CPU 0)',
      );
      const redisUrl = new URL(redis.url);
      const redisRun = spawnSync(
        'taskset',
        [
          '-c',
          LOADER_CPU,
          'redis-benchmark',
          '-h',
          redisUrl.hostname,
          '-p',
          redisUrl.port || '6379',
          '-c',
          '32',
          '-n',
          String(D.redisOps),
          '-t',
          'get,set',
          '--csv',
        ],
        { encoding: 'utf8', timeout: 120_000 },
      );
      const redisOps = {};
      for (const line of (redisRun.stdout ?? '').split('\n')) {
        const cells = line.split(',').map((c) => c.replace(/"/g, ''));
        if (cells.length >= 2 && /^[A-Z]/.test(cells[0]) && !Number.isNaN(Number(cells[1])))
          redisOps[cells[0]] = Number(cells[1]);
      }
      const script = path.join(work, 'tenant-by-id.sql');
      fs.writeFileSync(
        script,
        `SELECT t.*, w.* FROM tenants t LEFT JOIN wopi_client_profiles w ON w.tenant_id = t.id AND w.is_default WHERE t.id = '${tenantId}' AND t.disabled_at IS NULL;\n`,
      );
      const pgRun = spawnSync(
        'taskset',
        [
          '-c',
          LOADER_CPU,
          'pgbench',
          '-n',
          '-M',
          'prepared',
          '-c',
          '8',
          '-j',
          '1',
          '-T',
          String(D.pg),
          '-f',
          script,
          databaseUrl,
        ],
        { encoding: 'utf8', timeout: 120_000 },
      );
      const tps = /tps = ([\d.]+) \(without initial connection time\)/.exec(pgRun.stdout ?? '')?.[1];
      report.phases.backends = {
        redis: {
          tool: 'redis-benchmark -c 32 -t get,set',
          requestsPerSecond: redisOps,
          error: redisRun.status === 0 ? undefined : `${redisRun.error ?? redisRun.stderr}`.slice(0, 500),
        },
        postgres: {
          tool: 'pgbench -M prepared -c 8 on the tenant-by-id query the WOPI guard runs',
          transactionsPerSecond: tps === undefined ? null : Number(tps),
          error: pgRun.status === 0 ? undefined : `${pgRun.error ?? pgRun.stderr}`.slice(0, 500),
        },
      };
      progress(`Redis ${JSON.stringify(redisOps)} req/s; PostgreSQL tenant-by-id ${tps} tx/s`);
    }

    // -------------------------------------------------------------------------- Nest's pipeline
    if (wanted('pipeline')) {
      progress("Nest's request pipeline: the same answer through a Nest controller and a native Fastify route");
      const server = startNode('scripts/bench/pipeline-server.cjs', {}, { cpu: SERVER_CPU });
      await new Promise((resolve) => server.stdout.once('data', resolve));
      const url = server.output().trim().split('\n')[0];
      const runs = { native: [], nest: [] };
      // Alternated, twice each: the machine's drift hits both sides alike.
      for (const pass of [1, 2])
        for (const side of ['native', 'nest']) {
          const pool = [[{ method: 'GET', path: `/${side}/files/bench-file`, headers: {} }]];
          await runWrk(`pipeline-${side}-warmup-${pass}`, url, pool, { seconds: 1, connections: CONNECTIONS });
          runs[side].push(
            await runWrk(`pipeline-${side}-${pass}`, url, pool, {
              seconds: D.pipeline,
              connections: CONNECTIONS,
              pids: [server.pid],
            }),
          );
        }
      await stop(server);
      const cpuPerRequest = (list) =>
        round(list.reduce((sum, r) => sum + r.serverCpuMsPerRequest[0], 0) / list.length, 4);
      const native = cpuPerRequest(runs.native);
      const nest = cpuPerRequest(runs.nest);
      const costMs = round(nest - native, 4);
      const checkFileInfoMs = cfiGateway?.serverCpuMsPerRequest?.[0];
      report.phases.pipeline = {
        what: 'the same ~60-field JSON answer through a Nest controller shaped like WopiFilesController (guard, filter, param decorator, @Req/@Res) and through a native Fastify route, one process pinned to the server CPU',
        cpuMsPerRequest: { native, nest },
        nestCostMsPerRequest: costMs,
        shareOfCheckFileInfo: checkFileInfoMs ? round((costMs / checkFileInfoMs) * 100, 1) : null,
        runs,
      };
      progress(
        `pipeline: ${native} ms native, ${nest} ms through Nest per request` +
          (checkFileInfoMs ? ` (${report.phases.pipeline.shareOfCheckFileInfo} % of a CheckFileInfo)` : ''),
      );
    }

    backendCounters = undefined;
    redisClient.disconnect();
    await db.end();
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
    await Promise.all(children.map((c) => c.exited));
    discovery.close();
    await infra.dropDatabase(postgres.url, dbName).catch(() => undefined);
    await infra.stopAll();
    fs.rmSync(work, { recursive: true, force: true });
  }

  report.finishedAt = new Date().toISOString();
  report.loadAverageAtEnd = loadAverage();
  const stampName = started.toISOString().replace(/[:.]/g, '-');
  const dir = path.join(root, 'bench-results');
  fs.mkdirSync(dir, { recursive: true });
  const jsonFile = path.join(dir, `bench-${stampName}.json`);
  const mdFile = path.join(dir, `bench-${stampName}.md`);
  fs.writeFileSync(jsonFile, `${JSON.stringify(report, null, 2)}\n`);
  fs.writeFileSync(mdFile, markdown(report));
  process.stdout.write(markdown(report));
  process.stdout.write(
    `\nreport: ${path.relative(process.cwd(), jsonFile)}\n        ${path.relative(process.cwd(), mdFile)}\n`,
  );

  /** Records a goal: met or not, and by how much. */
  function goal(name, value, unit, target, comparison) {
    const met = comparison === '≥' ? value >= target : value <= target;
    report.goals.push({
      goal: name,
      measured: round(value, 2),
      unit,
      target,
      comparison,
      met,
      by: round(value - target, 2),
    });
    progress(`goal ${met ? 'MET' : 'NOT MET'}: ${name}: ${round(value, 2)} ${unit}`);
  }
}

function machine() {
  const cpuinfo = fs.readFileSync('/proc/cpuinfo', 'utf8');
  return {
    nproc: os.cpus().length,
    cpuModel: /model name\s*:\s*(.*)/.exec(cpuinfo)?.[1] ?? os.cpus()[0]?.model,
    memoryMiB: Math.round(os.totalmem() / MIB),
    node: process.version,
    kernel: os.release(),
    loadAverageAtStart: loadAverage(),
    wrk: spawnSync('wrk', ['-v'], { encoding: 'utf8' }).stdout.split('\n')[0].trim(),
  };
}

function markdown(report) {
  const lines = [];
  const p = report.phases;
  lines.push(`# Bench ${report.mode}: ${report.startedAt}`, '');
  const m = report.machine;
  lines.push(
    `Machine: ${m.nproc} CPUs (${m.cpuModel}), ${m.memoryMiB} MiB, node ${m.node}, ${m.wrk}; load average at start ${m.loadAverageAtStart.join(' ')}, at end ${(report.loadAverageAtEnd ?? []).join(' ')}.`,
    '',
  );
  lines.push('| goal | measured | target | met |', '|---|---:|---:|---|');
  for (const g of report.goals)
    lines.push(
      `| ${g.goal} | ${g.measured} ${g.unit} | ${g.comparison} ${g.target} | ${g.met ? 'met' : `not met (by ${Math.abs(g.by)} ${g.unit})`} |`,
    );
  lines.push('', '| measurement | gateway | ceiling | ratio |', '|---|---:|---:|---:|');
  const row = (name, a, b, unit = '') =>
    lines.push(
      `| ${name} | ${a}${unit} | ${b ?? '—'}${b === undefined ? '' : unit} | ${b ? `${round((a / b) * 100)} %` : '—'} |`,
    );
  if (p.checkFileInfo) {
    row(
      'CheckFileInfo req/s (32 conn.)',
      p.checkFileInfo.gateway.requestsPerSecond,
      p.checkFileInfo.ceiling.requestsPerSecond,
    );
    row('CheckFileInfo p99', p.checkFileInfo.gateway.latencyMs.p99, p.checkFileInfo.ceiling.latencyMs.p99, ' ms');
    row(
      'server CPU per CheckFileInfo',
      p.checkFileInfo.gateway.serverCpuMsPerRequest[0],
      p.checkFileInfo.ceiling.serverCpuMsPerRequest[0],
      ' ms',
    );
  }
  const perRequest = (name, run) =>
    run?.perRequest &&
    lines.push(
      `| ${name}: PostgreSQL transactions / Redis commands per request (whole system) | ${run.perRequest.postgresTransactions} / ${run.perRequest.redisCommands} | — | — |`,
    );
  perRequest('CheckFileInfo', p.checkFileInfo?.gateway);
  if (p.lockPutUnlock) {
    row(
      'Lock → PutFile 1 MiB → Unlock cycles/s (4 conn.)',
      p.lockPutUnlock.gateway.cyclesPerSecond,
      p.lockPutUnlock.ceiling.cyclesPerSecond,
    );
    row(
      'server CPU per request of a cycle',
      p.lockPutUnlock.gateway.serverCpuMsPerRequest[0],
      p.lockPutUnlock.ceiling.serverCpuMsPerRequest[0],
      ' ms',
    );
  }
  perRequest('Lock, PutFile, Unlock', p.lockPutUnlock?.gateway);
  if (p.getFile) {
    row(
      'GetFile 100 MiB MiB/s (vs demo-core direct)',
      p.getFile.gatewayMibPerSecond,
      p.getFile.directFromDemoCoreMibPerSecond,
    );
    lines.push(
      `| api RSS growth serving ${p.getFile.large.fileMiB} MiB (sampled; VmHWM growth) | ${p.getFile.large.apiRssGrowthMiB} MiB (${p.getFile.large.apiPeakGrowthMiB} MiB) | — | — |`,
    );
  }
  if (p.putLatency)
    row(
      'PutFile 64 KiB p99, core slow 2 s (vs core fast)',
      p.putLatency.coreSlow2s.latencyMs.p99,
      p.putLatency.coreFast.latencyMs.p99,
      ' ms',
    );
  if (p.dataVolume) {
    row(
      'CheckFileInfo req/s, files seeded (vs before)',
      p.dataVolume.manyFiles.requestsPerSecond,
      p.dataVolume.fewFiles.requestsPerSecond,
    );
    row(
      'CPU per CheckFileInfo, files seeded (vs before)',
      p.dataVolume.manyFiles.serverCpuMsPerRequest[0],
      p.dataVolume.fewFiles.serverCpuMsPerRequest[0],
      ' ms',
    );
  }
  if (p.processes) {
    const two = p.processes.twoProcesses;
    row(
      'CheckFileInfo req/s, 2 api processes (vs 1)',
      two.totalRequestsPerSecond,
      p.processes.oneProcess.requestsPerSecond,
    );
    lines.push(
      `| CPU per CheckFileInfo per process (2 processes) | ${two.cpuMsPerRequestPerProcess.join(' / ')} ms | — | — |`,
    );
  }
  if (p.backends) {
    lines.push(
      `| Redis alone (redis-benchmark, 32 conn.) | ${Object.entries(p.backends.redis.requestsPerSecond)
        .map(([k, v]) => `${k} ${v}/s`)
        .join(', ')} | — | — |`,
      `| PostgreSQL alone, the guard's tenant-by-id query (pgbench, 8 conn.) | ${p.backends.postgres.transactionsPerSecond} tx/s | — | — |`,
    );
  }
  if (p.pipeline) {
    row(
      'server CPU per request, Nest controller vs native Fastify route (same answer)',
      p.pipeline.cpuMsPerRequest.nest,
      p.pipeline.cpuMsPerRequest.native,
      ' ms',
    );
    lines.push(
      `| Nest's pipeline per request, share of a gateway CheckFileInfo's CPU | ${p.pipeline.nestCostMsPerRequest} ms | — | ${p.pipeline.shareOfCheckFileInfo ?? '—'} % |`,
    );
  }
  for (const [what, profile] of [
    ['CheckFileInfo', p.checkFileInfo?.cpuProfile],
    ['Lock → PutFile(1 MiB) → Unlock', p.lockPutUnlock?.cpuProfile],
    ['GetFile 100 MiB', p.getFile?.cpuProfile],
  ]) {
    if (!profile?.top) continue;
    lines.push(
      '',
      `### ${what}: CPU profile`,
      '',
      `A second api process under \`node --cpu-prof\`, the samples of the measured run only (${profile.busyMs} ms busy, ${profile.run.requests} requests); self time as % of busy time.`,
      '',
      '| self % | self ms | function | where |',
      '|---:|---:|---|---|',
    );
    for (const f of profile.top.slice(0, 15))
      lines.push(`| ${f.selfPercent} | ${f.selfMs} | ${f.functionName} | ${f.where} |`);
    lines.push('', 'By area:', '', '| self % | area |', '|---:|---|');
    for (const a of profile.byArea) lines.push(`| ${a.selfPercent} | ${a.area} |`);
    lines.push(
      '',
      'By area and the nearest function of ours above it (async work started by us shows as "no frame of ours"):',
      '',
      '| self % | area | under |',
      '|---:|---|---|',
    );
    for (const c of profile.byNearestCallerOfOurs) lines.push(`| ${c.selfPercent} | ${c.area} | ${c.caller} |`);
  }
  return `${lines.join('\n')}\n`;
}

main().catch(async (error) => {
  process.stderr.write(`bench failed: ${error.stack ?? error}\n`);
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  process.exit(1);
});
