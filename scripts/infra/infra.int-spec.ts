import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import Redis from 'ioredis';
import { Client } from 'pg';
import { ensurePostgres, ensureRedis, isProcessAlive, stopAll, type InfraServer } from './index.cjs';

// Nothing listens on port 1, so every ensure* below has to start its own server.
const UNREACHABLE_REDIS_URL = 'redis://127.0.0.1:1';
const UNREACHABLE_POSTGRES_URL = 'postgresql://postgres@127.0.0.1:1/postgres';
const quiet = (): void => undefined;

jest.setTimeout(60_000);

let workDir: string;

beforeAll(() => {
  workDir = mkdtempSync(path.join(os.tmpdir(), 'wopi-infra-'));
});

afterAll(async () => {
  await stopAll();
  rmSync(workDir, { recursive: true, force: true });
});

async function withRedis<T>(url: string, use: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0 });
  await redis.connect();
  try {
    return await use(redis);
  } finally {
    redis.disconnect();
  }
}

async function withPg<T>(url: string, use: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

/**
 * Runs ensure<kind>() in a separate Node process, then SIGKILLs that process, as a crashed demo
 * would: its private server keeps running, owned by nobody.
 */
async function orphanServer(kind: 'Redis' | 'Postgres', dataDir: string): Promise<{ url: string; pid: number }> {
  const script = `
    const infra = require(${JSON.stringify(path.join(__dirname, 'index.cjs'))});
    infra.ensure${kind}({ url: ${JSON.stringify(kind === 'Redis' ? UNREACHABLE_REDIS_URL : UNREACHABLE_POSTGRES_URL)},
      dataDir: ${JSON.stringify(dataDir)}, preferredPort: 0, log: () => {} })
      .then((server) => { console.log(JSON.stringify(server)); setInterval(() => {}, 1000); },
            (error) => { console.error(error); process.exit(1); });`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = await Promise.race([
    createInterface({ input: child.stdout })
      [Symbol.asyncIterator]()
      .next()
      .then(({ value }) => [value as string]),
    new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`helper exited with ${code}`)))),
  ]);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
  return JSON.parse(line);
}

describe('ensureRedis', () => {
  it('starts a private server whose append-only data outlives a restart', async () => {
    const dataDir = path.join(workDir, 'redis');
    const first = await ensureRedis({ url: UNREACHABLE_REDIS_URL, dataDir, preferredPort: 0, log: quiet });
    expect(first).toMatchObject({ started: true, pid: expect.any(Number) });
    expect(first.url).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/);
    await withRedis(first.url, async (redis) => {
      await redis.set('infra-spec:key', 'kept');
      expect(await redis.get('infra-spec:key')).toBe('kept');
      expect(await redis.config('GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'noeviction']);
    });

    await first.stop();
    await first.stop();
    expect(isProcessAlive(first.pid!)).toBe(false);

    const second = await ensureRedis({ url: UNREACHABLE_REDIS_URL, dataDir, preferredPort: 0, log: quiet });
    try {
      expect(second.started).toBe(true);
      expect(second.pid).not.toBe(first.pid);
      expect(await withRedis(second.url, (redis) => redis.get('infra-spec:key'))).toBe('kept');
    } finally {
      await second.stop();
    }
    expect(isProcessAlive(second.pid!)).toBe(false);
  });

  it('uses a server that answers and starts nothing', async () => {
    const privateServer = await ensureRedis({
      dataDir: path.join(workDir, 'redis-reachable'),
      preferredPort: 0,
      log: quiet,
    });
    try {
      const reused = await ensureRedis({ url: privateServer.url, dataDir: path.join(workDir, 'unused'), log: quiet });
      expect(reused).toMatchObject({ url: privateServer.url, started: false });
      expect(reused.pid).toBeUndefined();
      await reused.stop();
      expect(isProcessAlive(privateServer.pid!)).toBe(true);
    } finally {
      await privateServer.stop();
    }
  });

  it('shares, and does not stop, a private server this process already runs from the same dataDir', async () => {
    const dataDir = path.join(workDir, 'redis-shared');
    const owner = await ensureRedis({ dataDir, preferredPort: 0, log: quiet });
    try {
      const sharer = await ensureRedis({ url: UNREACHABLE_REDIS_URL, dataDir, preferredPort: 0, log: quiet });
      expect(sharer).toMatchObject({ url: owner.url, started: false });
      await sharer.stop();
      expect(isProcessAlive(owner.pid!)).toBe(true);
    } finally {
      await owner.stop();
    }
  });

  it('adopts a private server left running by a killed process, and stops it', async () => {
    const dataDir = path.join(workDir, 'redis-orphan');
    const orphan = await orphanServer('Redis', dataDir);
    expect(isProcessAlive(orphan.pid)).toBe(true);

    const adopted = await ensureRedis({ url: UNREACHABLE_REDIS_URL, dataDir, preferredPort: 0, log: quiet });
    expect(adopted).toMatchObject({ url: orphan.url, started: true, pid: orphan.pid });
    await adopted.stop();
    expect(isProcessAlive(orphan.pid)).toBe(false);
  });
});

describe('ensurePostgres', () => {
  it('initialises a private cluster, and a restart on the same dataDir keeps its data', async () => {
    const dataDir = path.join(workDir, 'postgres');
    const first = await ensurePostgres({ url: UNREACHABLE_POSTGRES_URL, dataDir, preferredPort: 0, log: quiet });
    expect(first).toMatchObject({ started: true, pid: expect.any(Number) });
    expect(first.url).toMatch(/^postgresql:\/\/postgres@127\.0\.0\.1:\d+\/postgres$/);
    await withPg(first.url, async (client) => {
      expect((await client.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
      await client.query("CREATE TABLE kept (value text); INSERT INTO kept VALUES ('before restart')");
    });

    await first.stop();
    await first.stop();
    expect(isProcessAlive(first.pid!)).toBe(false);

    const second = await ensurePostgres({ url: UNREACHABLE_POSTGRES_URL, dataDir, preferredPort: 0, log: quiet });
    try {
      expect(second.started).toBe(true);
      const { rows } = await withPg(second.url, (client) => client.query('SELECT value FROM kept'));
      expect(rows).toEqual([{ value: 'before restart' }]);
    } finally {
      await second.stop();
    }
    expect(isProcessAlive(second.pid!)).toBe(false);
  });

  it('adopts a private server left running by a killed process, and stops it', async () => {
    const dataDir = path.join(workDir, 'postgres-orphan');
    const orphan = await orphanServer('Postgres', dataDir);
    expect(isProcessAlive(orphan.pid)).toBe(true);

    const adopted: InfraServer = await ensurePostgres({
      url: UNREACHABLE_POSTGRES_URL,
      dataDir,
      preferredPort: 0,
      log: quiet,
    });
    expect(adopted).toMatchObject({ url: orphan.url, started: true, pid: orphan.pid });
    await withPg(adopted.url, (client) => client.query('SELECT 1'));
    await adopted.stop();
    expect(isProcessAlive(orphan.pid)).toBe(false);
  });
});
