'use strict';
/**
 * The bench's `round-trips` phase: what one WOPI request sends to PostgreSQL and Redis, by process.
 *
 * PostgreSQL: `log_statement = all` on the bench database only (set before the gateway connects,
 * so every pooled connection has it), read back from the server's log file and told apart by the
 * `application_name` each process connects with. The log file is BENCH_POSTGRES_LOG, else
 * pg_current_logfile(), else the newest file in /var/log/postgresql (a Debian server's stderr log).
 * Redis: MONITOR on the bench's own Redis; a command's client port is mapped to its process with
 * `ss`, and commands a Lua script runs are listed under the script's caller.
 *
 * Requests run one at a time with a pause after each, so the worker's share (the write-back a
 * PutFile triggers) falls into the request that caused it; an idle window measured first shows
 * what runs anyway (timers), to be told apart.
 */
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const SETTLE_MS = 1500;
const ROUNDS = 3;

async function withClient(url, work) {
  const { Client } = require('pg');
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function logStatements(adminUrl, dbName) {
  await withClient(adminUrl, (db) => db.query(`ALTER DATABASE "${dbName}" SET log_statement = 'all'`));
}

async function logFile(adminUrl) {
  if (process.env.BENCH_POSTGRES_LOG) return process.env.BENCH_POSTGRES_LOG;
  const current = await withClient(adminUrl, (db) => db.query('SELECT pg_current_logfile() AS f')).catch(() => null);
  if (current?.rows[0]?.f) return current.rows[0].f;
  const dir = '/var/log/postgresql';
  const newest = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.log'))
    .map((f) => ({ f: path.join(dir, f), t: fs.statSync(path.join(dir, f)).mtimeMs }))
    .sort((a, b) => b.t - a.t)[0];
  if (!newest) throw new Error('no PostgreSQL log file found: set BENCH_POSTGRES_LOG');
  return newest.f;
}

/** `%m [%p] %q%u@%d ` (Debian's log_line_prefix) followed by a statement or an execute. */
const LOG_LINE =
  /^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}) (\S+) \[(\d+)\] \S*@(\S+) LOG: {2}(?:statement|execute [^:]*): (.*)$/;

function statementsOf(text, dbName) {
  const out = [];
  let last;
  for (const line of text.split('\n')) {
    const m = LOG_LINE.exec(line);
    if (m) {
      last =
        m[4] === dbName ? { atMs: Date.parse(`${m[1].replace(' ', 'T')}Z`), pid: Number(m[3]), sql: m[5] } : undefined;
      if (last) out.push(last);
    } else if (last && line.startsWith('\t')) {
      last.sql += ` ${line.trim()}`;
    } else {
      last = undefined;
    }
  }
  return out;
}

/** Local client ports of established TCP connections → owning pid (root or same user needed). */
function portOwners() {
  const owners = new Map();
  const ss = spawnSync('ss', ['-tnpH', 'state', 'established'], { encoding: 'utf8' });
  for (const line of ss.stdout.split('\n')) {
    const m = /\S+\s+\S+\s+(\S+):(\d+)\s+\S+\s+users:\(\("[^"]*",pid=(\d+)/.exec(line.trim());
    if (m) owners.set(Number(m[2]), Number(m[3]));
  }
  return owners;
}

const shortSql = (sql) =>
  sql
    .replace(/\s+/g, ' ')
    .replace(/"public"\./g, '')
    .replace(/SELECT (.{60}).*? FROM/, 'SELECT $1… FROM')
    .slice(0, 220);

async function trace({ redisUrl, adminUrl, dbName, pids }, requests) {
  const Redis = require('ioredis');
  const file = await logFile(adminUrl);
  const monitorClient = new Redis(redisUrl);
  const monitor = await monitorClient.monitor();
  const redisLog = [];
  monitor.on('monitor', (time, args, source) => redisLog.push({ atMs: Number(time) * 1000, args, source }));
  const from = fs.statSync(file).size;
  const windows = [];
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  const t0 = Date.now();
  await sleep(SETTLE_MS);
  windows.push({ name: 'idle', round: 0, startMs: t0, endMs: Date.now() });
  for (let round = 1; round <= ROUNDS; round++) {
    for (const [name, send] of Object.entries(requests)) {
      const startMs = Date.now();
      const response = await send();
      await response.arrayBuffer();
      const answeredMs = Date.now();
      await sleep(SETTLE_MS);
      windows.push({ name, round, status: response.status, startMs, answeredMs, endMs: Date.now() });
    }
  }
  await sleep(300); // the last log lines reach the file
  const apps = new Map(
    (
      await withClient(adminUrl, (db) =>
        db.query('SELECT pid, application_name FROM pg_stat_activity WHERE datname = $1', [dbName]),
      )
    ).rows.map((r) => [r.pid, r.application_name || '?']),
  );
  const owners = portOwners();
  const processOf = (pid) => Object.entries(pids).find(([, p]) => p === pid)?.[0] ?? `pid ${pid ?? '?'}`;
  monitor.disconnect();
  monitorClient.disconnect();

  const handle = fs.openSync(file, 'r');
  const size = fs.statSync(file).size;
  const buffer = Buffer.alloc(size - from);
  fs.readSync(handle, buffer, 0, buffer.length, from);
  fs.closeSync(handle);
  const statements = statementsOf(buffer.toString('utf8'), dbName);
  // A transaction is a BEGIN … COMMIT/ROLLBACK, or one statement sent outside of one (as
  // pg_stat_database counts them).
  const open = new Set();
  for (const s of statements) {
    if (/^BEGIN\b/i.test(s.sql)) open.add(s.pid);
    else if (/^(COMMIT|ROLLBACK)\b/i.test(s.sql)) {
      s.ends = true;
      open.delete(s.pid);
    } else if (!open.has(s.pid)) s.ends = true;
  }

  // Lua-run commands come straight after the EVALSHA/EVAL that ran them: listed under its caller.
  let caller = '?';
  const commands = redisLog.map(({ atMs, args, source }) => {
    if (source !== 'lua') caller = processOf(owners.get(Number(source.split(':').pop())));
    return { atMs, process: caller, lua: source === 'lua', command: args.map((a) => String(a).slice(0, 40)).join(' ') };
  });
  const inWindow = (w) => (e) => e.atMs >= w.startMs - 5 && e.atMs < w.endMs;
  const result = windows.map((w) => {
    const pg = statements
      .filter(inWindow(w))
      .map((s) => ({ process: apps.get(s.pid) ?? '?', sql: shortSql(s.sql), endsTransaction: Boolean(s.ends) }));
    const redis = commands.filter(inWindow(w));
    const by = (list, key) => list.reduce((acc, e) => ({ ...acc, [e[key]]: (acc[e[key]] ?? 0) + 1 }), {});
    return {
      ...w,
      postgresStatements: pg,
      postgresByProcess: by(pg, 'process'),
      postgresTransactions: pg.filter((s) => s.endsTransaction).length,
      redisCommands: redis,
      redisByProcess: by(
        redis.map((c) => ({ ...c, key: `${c.process}${c.lua ? ' (in Lua)' : ''}` })),
        'key',
      ),
    };
  });
  return { settleMs: SETTLE_MS, windows: result };
}

function format({ windows }) {
  const lines = [];
  for (const w of windows) {
    if (w.round !== 0 && w.round !== ROUNDS) continue;
    lines.push(
      `${w.name}${w.round ? ` (round ${w.round}, ${w.status})` : ` (${w.endMs - w.startMs} ms, nothing sent)`}: ` +
        `PostgreSQL ${JSON.stringify(w.postgresByProcess)}, transactions ${w.postgresTransactions}; Redis ${JSON.stringify(w.redisByProcess)}`,
    );
    for (const s of w.postgresStatements) lines.push(`  pg    ${s.process.padEnd(6)} ${s.sql}`);
    for (const c of w.redisCommands) lines.push(`  redis ${c.process.padEnd(6)} ${c.lua ? '  lua: ' : ''}${c.command}`);
  }
  const summary = windows
    .filter((w) => w.round)
    .map(
      (w) =>
        `${w.name}#${w.round}: pg ${w.postgresStatements.length} (${w.postgresTransactions} transactions), redis ${w.redisCommands.length}`,
    );
  return `${lines.join('\n')}\n${summary.join('\n')}`;
}

module.exports = { logStatements, trace, format };
