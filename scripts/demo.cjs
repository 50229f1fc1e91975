#!/usr/bin/env node
'use strict';
/**
 * `npm run demo`: the whole service on one machine, on embedded local defaults.
 *
 * Installs dependencies if needed, builds, uses the Redis/PostgreSQL at REDIS_URL/DATABASE_URL
 * when they answer (private ones under .local/ otherwise), migrates, seeds the demo tenant, starts
 * demo-core, the built-in demo editor (a WOPI client, apps/demo-editor), the WOPI validator's
 * discovery stand-in (when ../shared/wopi-validator is there), api and worker, then prints what to
 * open. Ctrl-C stops every process it started, and only those.
 */
const { spawn, execFileSync } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { ensureInstall, withoutNpmRunEnv } = require('./ensure-install.cjs');

const root = path.resolve(__dirname, '..');
const localDir = path.resolve(root, process.env.WOPI_LOCAL_DIR ?? '.local');
const logsDir = path.join(localDir, 'logs');
const validatorDir = path.resolve(root, process.env.WOPI_VALIDATOR_DIR ?? '../shared/wopi-validator');
const ports = {
  api: Number(process.env.PORT ?? 3000),
  demoCore: Number(process.env.DEMO_CORE_PORT ?? 3100),
  demoEditor: Number(process.env.DEMO_EDITOR_PORT ?? 3200),
  validatorDiscovery: Number(process.env.WOPI_VALIDATOR_DISCOVERY_PORT ?? 8099),
};
const DATABASE_NAME = 'wopi_gateway';
const SHUTDOWN_GRACE_MS = 20_000;

const say = (line) => process.stdout.write(`${line}\n`);
const children = []; // { name, process }
let shuttingDown = false;
let infra;

const newApiKey = () => `wgk_${randomBytes(8).toString('hex')}_${randomBytes(32).toString('base64url')}`;
const secretsFile = path.join(localDir, 'demo', 'secrets.json');

function loadOrCreateSecrets() {
  const file = secretsFile;
  const existing = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : undefined;
  // A secrets file from before the admin API lacks adminApiKey: it is added, the rest is kept.
  if (existing && existing.adminApiKey) return existing;
  const secrets = existing ?? {
    accessTokenSigningKey: randomBytes(32).toString('base64url'),
    secretsEncryptionKey: randomBytes(32).toString('base64'),
    demoCoreApiSecret: randomBytes(24).toString('base64url'),
    sessionApiKey: newApiKey(),
  };
  secrets.adminApiKey = newApiKey();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}

/** The same server with the `postgres` maintenance database, to create ours on. */
function serverUrlOf(databaseUrl) {
  const url = new URL(databaseUrl);
  url.pathname = '/postgres';
  return url.toString();
}

async function ensureDatabase(serverUrl) {
  try {
    return await infra.createDatabase(serverUrl, DATABASE_NAME);
  } catch (error) {
    // 42P04: it exists already, from an earlier run: reuse it.
    if (error && error.code === '42P04') return infra.withDatabase(serverUrl, DATABASE_NAME);
    throw error;
  }
}

function runStep(description, command, args, env) {
  say(`- ${description}`);
  execFileSync(command, args, {
    cwd: root,
    env: { ...withoutNpmRunEnv(process.env), ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}

function start(name, args, env) {
  fs.mkdirSync(logsDir, { recursive: true });
  const log = fs.openSync(path.join(logsDir, `${name}.log`), 'a');
  // Own process group: a terminal's Ctrl-C reaches only this launcher, which then stops the
  // children in order (api first, databases last) instead of all at once.
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { ...withoutNpmRunEnv(process.env), ...env },
    stdio: ['ignore', log, log],
    detached: true,
  });
  fs.closeSync(log);
  children.push({ name, process: child });
  child.on('exit', (code, signal) => {
    if (shuttingDown) return;
    say(
      `${name} exited unexpectedly (${signal ?? `code ${code}`}); see ${path.relative(root, path.join(logsDir, `${name}.log`))}`,
    );
    void shutdown(1);
  });
  return child;
}

async function waitForHttp(url, what, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (shuttingDown) throw new Error('shutting down');
    try {
      const response = await fetch(url);
      if (response.ok) return;
      last = `HTTP ${response.status}`;
    } catch (error) {
      last = error.cause?.code ?? error.message;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${what} did not become ready at ${url} within ${timeoutMs} ms (last: ${last})`);
}

const PORT_VARIABLES = {
  api: 'PORT',
  'demo-core': 'DEMO_CORE_PORT',
  'demo-editor': 'DEMO_EDITOR_PORT',
  'wopi-validator-discovery': 'WOPI_VALIDATOR_DISCOVERY_PORT',
};

async function assertPortFree(port, what) {
  const net = require('node:net');
  await new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', () =>
      reject(
        new Error(
          `port ${port} (${what}) is in use: is the demo already running? Set ${PORT_VARIABLES[what]} to use another port.`,
        ),
      ),
    );
    server.listen(port, '127.0.0.1', () => server.close(resolve));
  });
}

async function createSession(apiUrl, apiKey, fileRef, userId) {
  const response = await fetch(`${apiUrl}/api/v1/sessions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ fileRef, userId }),
  });
  if (!response.ok) throw new Error(`session for ${fileRef}: HTTP ${response.status} ${await response.text()}`);
  return response.json();
}

async function stopChild({ name, process: child }) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => {
    say(`${name} did not stop within ${SHUTDOWN_GRACE_MS} ms: killing it`);
    child.kill('SIGKILL');
  }, SHUTDOWN_GRACE_MS);
  await exited;
  clearTimeout(timer);
}

async function shutdown(code) {
  if (shuttingDown) return;
  shuttingDown = true;
  say('\nstopping...');
  // Front to back: nothing new comes in while the things behind it finish their work. The editor
  // first: closing its open documents unlocks them through the api.
  for (const name of ['demo-editor', 'api', 'worker', 'wopi-validator-discovery', 'demo-core']) {
    const child = children.find((c) => c.name === name);
    if (child) await stopChild(child);
  }
  if (infra) await infra.stopAll();
  fs.rmSync(path.join(localDir, 'demo', 'runtime.json'), { force: true });
  say('stopped.');
  process.exit(code);
}

async function main() {
  process.once('SIGINT', () => void shutdown(0));
  process.once('SIGTERM', () => void shutdown(0));

  ensureInstall();
  // npm test builds once before Jest; its launcher test sets this to avoid building again.
  if (process.env.WOPI_DEMO_SKIP_BUILD !== '1') runStep('building', 'npm', ['run', '--silent', 'build']);
  infra = require('./infra/index.cjs');
  await assertPortFree(ports.api, 'api');
  await assertPortFree(ports.demoCore, 'demo-core');
  await assertPortFree(ports.demoEditor, 'demo-editor');
  const secrets = loadOrCreateSecrets();

  const redis = await infra.ensureRedis({
    url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    dataDir: path.join(localDir, 'redis'),
    log: say,
  });
  const postgres = await infra.ensurePostgres({
    url: serverUrlOf(process.env.DATABASE_URL ?? `postgresql://postgres@127.0.0.1:5432/${DATABASE_NAME}`),
    dataDir: path.join(localDir, 'postgres'),
    log: say,
  });
  const databaseUrl = await ensureDatabase(postgres.url);
  runStep('applying migrations', process.execPath, ['scripts/prisma-migrate.mjs', 'deploy'], {
    DATABASE_URL: databaseUrl,
  });

  const apiUrl = `http://127.0.0.1:${ports.api}`;
  const demoCoreUrl = `http://127.0.0.1:${ports.demoCore}`;
  const validatorDiscoveryUrl = `http://127.0.0.1:${ports.validatorDiscovery}/hosting/discovery`;
  const demoEditorUrl = `http://127.0.0.1:${ports.demoEditor}`;
  const gatewayEnv = {
    NODE_ENV: 'development',
    DATABASE_URL: databaseUrl,
    REDIS_URL: redis.url,
    SECRETS_ENCRYPTION_KEY: secrets.secretsEncryptionKey,
    ACCESS_TOKEN_SIGNING_KEY: secrets.accessTokenSigningKey,
    // demo-core and the validator's discovery run on loopback, which production refuses to call.
    EGRESS_ALLOW_PRIVATE_NETWORKS: 'true',
  };

  start('demo-core', ['dist/apps/demo-core/src/main.js'], {
    DEMO_CORE_PORT: String(ports.demoCore),
    DEMO_CORE_HOST: '127.0.0.1',
    DEMO_CORE_DATA_DIR: path.join(localDir, 'demo-core'),
    DEMO_CORE_API_SECRET: secrets.demoCoreApiSecret,
    // Its "Open in … for the web" entries create sessions at the gateway, as a core app does.
    DEMO_CORE_GATEWAY_URL: `http://127.0.0.1:${ports.api}`,
    DEMO_CORE_GATEWAY_SESSION_API_KEY: secrets.sessionApiKey,
  });
  await waitForHttp(`${demoCoreUrl}/healthz`, 'demo-core');
  runStep('seeding the demo tenant', process.execPath, ['dist/prisma/seed.js'], {
    ...gatewayEnv,
    DEMO_CORE_URL: `${demoCoreUrl}/core/v1`,
    DEMO_CORE_API_SECRET: secrets.demoCoreApiSecret,
    DEMO_SESSION_API_KEY: secrets.sessionApiKey,
    DEMO_ADMIN_API_KEY: secrets.adminApiKey,
    DEMO_VALIDATOR_DISCOVERY_URL: validatorDiscoveryUrl,
    DEMO_EDITOR_DISCOVERY_URL: `${demoEditorUrl}/hosting/discovery`,
  });

  const hasValidator = fs.existsSync(path.join(validatorDir, 'cli.mjs'));
  // The demo's own WOPI client: its proof keys are made once and kept under .local/demo/. It also
  // serves the validator's frame (the validator's urlsrc points at it) and runs the validator there.
  start('demo-editor', ['dist/apps/demo-editor/src/main.js'], {
    DEMO_EDITOR_PORT: String(ports.demoEditor),
    DEMO_EDITOR_HOST: '127.0.0.1',
    DEMO_EDITOR_PUBLIC_URL: demoEditorUrl,
    DEMO_EDITOR_KEYS_DIR: path.join(localDir, 'demo', 'editor-proof-keys'),
    ...(hasValidator ? { DEMO_EDITOR_VALIDATOR_CLI: path.join(validatorDir, 'cli.mjs') } : {}),
  });
  await waitForHttp(`${demoEditorUrl}/hosting/discovery`, 'the demo editor');

  if (hasValidator) {
    await assertPortFree(ports.validatorDiscovery, 'wopi-validator-discovery');
    start(
      'wopi-validator-discovery',
      [
        path.join(validatorDir, 'cli.mjs'),
        'discovery',
        '--serve',
        String(ports.validatorDiscovery),
        '--base-url',
        `${demoEditorUrl}/validator/`,
      ],
      {},
    );
    await waitForHttp(validatorDiscoveryUrl, 'the WOPI validator discovery');
  }

  start('api', ['dist/apps/api/src/main.js'], {
    ...gatewayEnv,
    PORT: String(ports.api),
    HOST: '127.0.0.1',
    PUBLIC_BASE_URL: apiUrl,
    // The printed links should survive reading this screen; production keeps the short default.
    LAUNCH_TICKET_TTL_SECONDS: '900',
  });
  start('worker', ['dist/apps/worker/src/main.js'], gatewayEnv);
  await waitForHttp(`${apiUrl}/readyz`, 'api');

  const runtime = {
    apiUrl,
    demoCoreUrl,
    demoEditorUrl,
    demoCoreApiSecret: secrets.demoCoreApiSecret,
    tenants: { demo: { sessionApiKey: secrets.sessionApiKey } },
    adminApiKey: secrets.adminApiKey,
    pids: {
      launcher: process.pid,
      ...Object.fromEntries(children.map((c) => [c.name, c.process.pid])),
      ...(redis.started ? { redis: redis.pid } : {}),
      ...(postgres.started ? { postgres: postgres.pid } : {}),
    },
  };
  fs.writeFileSync(path.join(localDir, 'demo', 'runtime.json'), JSON.stringify(runtime, null, 2), { mode: 0o600 });

  // demo-core takes only requests signed as the gateway signs them (core-app contract v1).
  const { signRequest, EMPTY_BODY_SHA256 } = require('../dist/libs/core-app-client/src/request-signing.js');
  const listing = await fetch(`${demoCoreUrl}/core/v1/files`, {
    headers: signRequest(secrets.demoCoreApiSecret, {
      method: 'GET',
      pathWithQuery: '/core/v1/files',
      contentSha256: EMPTY_BODY_SHA256,
      timestampMs: Date.now(),
    }),
  });
  const { files } = await listing.json();
  say('\nWOPI Gateway demo is running.\n');
  say(`  health          ${apiUrl}/healthz   (readiness: ${apiUrl}/readyz)`);
  say(`  demo core app   ${demoCoreUrl}/   (sign in: the login URL of the test system)`);
  say('                  accounts (password "demo"): alice (manager, owns the samples), bob (editor),');
  say('                  carol (viewer), dave (no access); upload, share and open files there');
  say(`  demo editor     ${demoEditorUrl}/hosting/discovery   (the built-in WOPI client: docx, odt, xlsx, pptx, txt)`);
  say(`  logs            ${path.relative(root, logsDir)}/`);
  say(
    '\nHost pages (one-time links for alice, valid 15 minutes; `npm run --silent session -- --file <name>` makes new ones):',
  );
  let validatorFile;
  for (const file of files) {
    const session = await createSession(apiUrl, secrets.sessionApiKey, file.ref, 'alice');
    if (file.name.endsWith('.wopitest')) validatorFile = file.name;
    say(`  ${file.name.padEnd(22)} ${session.hostPageUrl}   (${session.client ?? 'no editor'})`);
  }
  const coAuthored = files.find((file) => file.name === 'Welcome.docx');
  if (coAuthored) {
    const bob = await createSession(apiUrl, secrets.sessionApiKey, coAuthored.ref, 'bob');
    say('\nCo-authoring: open Welcome.docx as alice (above) and as bob in another window; save in one,');
    say(`the other shows the change within seconds:\n  ${'Welcome.docx (bob)'.padEnd(22)} ${bob.hostPageUrl}`);
  }
  if (validatorFile) {
    say('\nWOPI validator against the demo .wopitest file:');
    // The session is made when the command runs: no access token in this output, which may well
    // end up in a log or a CI transcript (docs/security.md), and never an expired one.
    say(
      `  node ${path.relative(process.cwd(), path.join(validatorDir, 'cli.mjs'))} $(npm run --silent session -- --file ${validatorFile} --validator-args)`,
    );
    if (!hasValidator) say(`  (no validator found at ${validatorDir}; set WOPI_VALIDATOR_DIR)`);
    else {
      say(`  (it signs every request; the demo tenant verifies its proof keys from ${validatorDiscoveryUrl};`);
      say('  the validator.wopitest host page above runs the same tests in the browser)');
      // Otherwise the exit code 1 reads as a failure of the gateway.
      say('  Groups of features the gateway does not offer (containers, sharing URLs, FileUrl, AddActivities,');
      say('  co-authoring locks) are reported as skipped, and a run with skips exits 1; --ignore-skipped');
      say('  leaves them out. PutRelativeFileUnsupported needs a tenant with Save As off (npm test runs it).');
    }
  }
  say(
    `\nSession API (Authorization: Bearer <sessionApiKey in ${path.relative(root, path.join(localDir, 'demo', 'secrets.json'))}>):`,
  );
  say(`  POST ${apiUrl}/api/v1/sessions          {fileRef, userId, action?, locale?, returnUrl?, client?}`);
  say(`  POST ${apiUrl}/api/v1/sessions/renew    {sessionId} or {accessToken}`);
  say(`  POST ${apiUrl}/api/v1/revocations       {userId, fileRef?, sessionId?}`);
  say(
    `\nAdmin API (an admin key with every scope is in ${path.relative(root, secretsFile)} as adminApiKey; OpenAPI at ${apiUrl}/docs):`,
  );
  say(`  GET  ${apiUrl}/admin/v1/tenants             POST ${apiUrl}/admin/v1/tenants {slug, displayName, coreApp}`);
  say('\nPress Ctrl-C to stop.');
}

main().catch((error) => {
  say(`demo failed: ${error.message}`);
  void shutdown(1);
});
