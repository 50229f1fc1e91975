#!/usr/bin/env node
'use strict';
/**
 * `npm run bench`: GetFile and PutFile of a large file (1 GiB by default, BENCH_FILE_MB to change)
 * through a real api process and the real demo core app, measuring throughput and the peak memory
 * (VmHWM) of the api process. Streams must stay streams: the api's peak must not grow with the
 * file. Writes a JSON report to bench-results/ and prints it.
 */
const { spawn } = require('node:child_process');
const { createHash, randomBytes } = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { Readable } = require('node:stream');

const root = path.resolve(__dirname, '../..');
const infra = require('../infra/index.cjs');
const { SecretBox } = require(path.join(root, 'dist/libs/tenancy/src/secret-box.js'));
const { generateApiKey } = require(path.join(root, 'dist/libs/tenancy/src/index.js'));
const { signRequest, EMPTY_BODY_SHA256 } = require(path.join(root, 'dist/libs/core-app-client/src/request-signing.js'));

const FILE_BYTES = Number(process.env.BENCH_FILE_MB ?? 1024) * 1024 * 1024;
const CHUNK = randomBytes(1024 * 1024);

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

function memoryOf(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN);
  return { rssMiB: kb('VmRSS') / 1024, peakMiB: kb('VmHWM') / 1024 };
}

function start(script, env) {
  const child = spawn(process.execPath, [path.join(root, script)], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c) => (stderr += c));
  child.stderrText = () => stderr;
  return child;
}

async function waitFor(url) {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (
      await fetch(url).then(
        (r) => r.ok,
        () => false,
      )
    )
      return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not answer`);
}

/** A deterministic stream of `bytes` bytes that is never held in memory as a whole. */
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

function expectedSha256(bytes) {
  const hash = createHash('sha256');
  for (let sent = 0; sent < bytes; sent += CHUNK.length)
    hash.update(CHUNK.subarray(0, Math.min(CHUNK.length, bytes - sent)));
  return hash.digest('hex');
}

async function main() {
  const started = new Date();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'wopi-bench-'));
  const children = [];
  const redis = await infra.ensureRedis({
    url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
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
  try {
    await new Promise((resolve, reject) => {
      const migrate = spawn(process.execPath, ['scripts/prisma-migrate.mjs', 'deploy'], {
        cwd: root,
        env: { ...process.env, DATABASE_URL: databaseUrl },
        stdio: 'ignore',
      });
      migrate.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`migrate exited ${code}`))));
    });
    const coreSecret = randomBytes(24).toString('base64url');
    // The gateway has no default secrets: the bench makes its own, for this run only.
    const secretsEncryptionKey = randomBytes(32).toString('base64');
    const corePort = await freePort();
    const apiPort = await freePort();
    const core = start('dist/apps/demo-core/src/main.js', {
      DEMO_CORE_PORT: String(corePort),
      DEMO_CORE_DATA_DIR: path.join(work, 'demo-core'),
      DEMO_CORE_API_SECRET: coreSecret,
      DEMO_CORE_MAX_UPLOAD_BYTES: String(FILE_BYTES * 2),
      DEMO_CORE_LOG_LEVEL: 'warn',
    });
    children.push(core);
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    const api = start('dist/apps/api/src/main.js', {
      DATABASE_URL: databaseUrl,
      REDIS_URL: redis.url,
      PORT: String(apiPort),
      PUBLIC_BASE_URL: apiUrl,
      BLOB_STAGING_DIR: path.join(work, 'staging'),
      QUEUE_PREFIX: `bench-${Date.now()}`,
      LOG_LEVEL: 'warn',
      SECRETS_ENCRYPTION_KEY: secretsEncryptionKey,
      ACCESS_TOKEN_SIGNING_KEY: randomBytes(32).toString('base64url'),
      EGRESS_ALLOW_PRIVATE_NETWORKS: 'true',
    });
    children.push(api);
    await waitFor(`http://127.0.0.1:${corePort}/healthz`);
    await waitFor(`${apiUrl}/readyz`);

    const { Client } = require('pg');
    const db = new Client({ connectionString: databaseUrl });
    await db.connect();
    const key = generateApiKey();
    const tenant = await db.query(
      `INSERT INTO tenants (id, slug, display_name, core_app_base_url, core_app_credential, max_file_bytes, updated_at)
       VALUES (gen_random_uuid(), 'bench', 'Bench', $1, $2, $3, now()) RETURNING id`,
      [
        `http://127.0.0.1:${corePort}/core/v1`,
        new SecretBox(secretsEncryptionKey).seal(coreSecret),
        String(FILE_BYTES * 2),
      ],
    );
    await db.query(
      `INSERT INTO api_keys (id, tenant_id, kind, name, key_id, secret_hash) VALUES (gen_random_uuid(), $1, 'SESSION', 'bench', $2, $3)`,
      [tenant.rows[0].id, key.keyId, key.secretHash],
    );
    await db.end();

    const listPath = '/core/v1/files';
    const listing = await fetch(`http://127.0.0.1:${corePort}${listPath}`, {
      headers: signRequest(coreSecret, {
        method: 'GET',
        pathWithQuery: listPath,
        contentSha256: EMPTY_BODY_SHA256,
        timestampMs: Date.now(),
      }),
    }).then((r) => r.json());
    const ref = listing.files.find((f) => f.name.endsWith('.wopitest')).ref;
    const session = await fetch(`${apiUrl}/api/v1/sessions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ fileRef: ref, userId: 'alice' }),
    }).then((r) => r.json());
    const fileUrl = `${apiUrl}/wopi/files/${session.fileId}`;
    const token = `access_token=${encodeURIComponent(session.accessToken)}`;
    await fetch(`${fileUrl}?${token}`, {
      method: 'POST',
      headers: { 'x-wopi-override': 'LOCK', 'x-wopi-lock': 'bench' },
    });

    const baseline = memoryOf(api.pid);
    const putStart = performance.now();
    const put = await fetch(`${fileUrl}/contents?${token}`, {
      method: 'POST',
      headers: {
        'x-wopi-override': 'PUT',
        'x-wopi-lock': 'bench',
        'content-type': 'application/octet-stream',
        'content-length': String(FILE_BYTES),
      },
      body: bodyStream(FILE_BYTES),
      duplex: 'half',
    });
    const putSeconds = (performance.now() - putStart) / 1000;
    if (put.status !== 200) throw new Error(`PutFile answered ${put.status}: ${await put.text()}`);
    const afterPut = memoryOf(api.pid);

    const getStart = performance.now();
    const get = await fetch(`${fileUrl}/contents?${token}`);
    const hash = createHash('sha256');
    let received = 0;
    for await (const chunk of get.body) {
      hash.update(chunk);
      received += chunk.length;
    }
    const getSeconds = (performance.now() - getStart) / 1000;
    const afterGet = memoryOf(api.pid);
    const sha256 = hash.digest('hex');

    const mib = FILE_BYTES / 1024 / 1024;
    const report = {
      benchmark: 'large-file-get-put',
      startedAt: started.toISOString(),
      machine: { cpus: os.cpus().length, totalMemMiB: Math.round(os.totalmem() / 1024 / 1024), node: process.version },
      fileBytes: FILE_BYTES,
      putFile: {
        status: put.status,
        itemVersion: put.headers.get('x-wopi-itemversion'),
        seconds: round(putSeconds),
        mibPerSecond: round(mib / putSeconds),
      },
      getFile: {
        status: get.status,
        bytes: received,
        seconds: round(getSeconds),
        mibPerSecond: round(mib / getSeconds),
        sha256Matches: sha256 === expectedSha256(FILE_BYTES),
      },
      apiMemory: {
        rssBeforeMiB: round(baseline.rssMiB),
        peakBeforeMiB: round(baseline.peakMiB),
        peakAfterPutMiB: round(afterPut.peakMiB),
        peakAfterGetMiB: round(afterGet.peakMiB),
        peakGrowthMiB: round(afterGet.peakMiB - baseline.peakMiB),
        peakGrowthPercentOfFile: round(((afterGet.peakMiB - baseline.peakMiB) / mib) * 100),
      },
    };
    const out = path.join(root, 'bench-results', `large-file-${started.toISOString().replace(/[:.]/g, '-')}.json`);
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
    process.stdout.write(`${JSON.stringify(report, null, 2)}\nreport: ${path.relative(process.cwd(), out)}\n`);
    if (!report.getFile.sha256Matches || received !== FILE_BYTES) process.exitCode = 1;
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(children.map((c) => (c.exitCode !== null ? null : new Promise((r) => c.once('exit', r)))));
    await infra.dropDatabase(postgres.url, dbName).catch(() => undefined);
    await infra.stopAll();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

const round = (n) => Math.round(n * 10) / 10;

main().catch((error) => {
  process.stderr.write(`bench failed: ${error.stack ?? error}\n`);
  process.exit(1);
});
