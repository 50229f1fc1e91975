import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from '../src/create-app';
import { testApiEnv } from '../../../test/support/gateway-env';

describe('health endpoints', () => {
  let app: NestFastifyApplication;

  beforeAll(async () => {
    app = await createApp(testApiEnv());
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });

  afterAll(() => app.close());

  it('/healthz answers while the process lives', async () => {
    const response = await app.inject({ method: 'GET', url: '/healthz' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ status: 'ok' });
  });

  it('/readyz reports PostgreSQL, the migrations and Redis', async () => {
    const response = await app.inject({ method: 'GET', url: '/readyz' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      status: 'ok',
      details: {
        postgres: { status: 'up' },
        migrations: { status: 'up' },
        redis: { status: 'up' },
        staging: { status: 'up' },
      },
    });
  });

  it('/readyz is 503 when Redis cannot be reached', async () => {
    const broken = await createApp(testApiEnv({ REDIS_URL: 'redis://127.0.0.1:1' }));
    await broken.init();
    try {
      const response = await broken.inject({ method: 'GET', url: '/readyz' });
      expect(response.statusCode).toBe(503);
      expect(response.json()).toMatchObject({
        status: 'error',
        error: { redis: { status: 'down' } },
        info: { postgres: { status: 'up' } },
      });
    } finally {
      await broken.close();
    }
  });

  it('/readyz checks S3 staging: up with its bucket, 503 when the bucket is not there', async () => {
    const { startS3TestServer } = await import('../../../test/support/s3-server');
    const s3 = await startS3TestServer();
    const withBucket = await createApp(testApiEnv(s3.env('ready/')));
    const withoutBucket = await createApp(testApiEnv({ ...s3.env('ready/'), S3_BUCKET: 'no-such-bucket' }));
    await Promise.all([withBucket.init(), withoutBucket.init()]);
    try {
      const ready = await withBucket.inject({ method: 'GET', url: '/readyz' });
      expect(ready.statusCode).toBe(200);
      expect(ready.json().details.staging).toEqual({ status: 'up' });
      const notReady = await withoutBucket.inject({ method: 'GET', url: '/readyz' });
      expect(notReady.statusCode).toBe(503);
      expect(notReady.json()).toMatchObject({
        error: { staging: { status: 'down' } },
        info: { postgres: { status: 'up' }, redis: { status: 'up' } },
      });
    } finally {
      await Promise.all([withBucket.close(), withoutBucket.close()]);
      await s3.stop();
    }
  });

  it('/readyz is 503 while a migration is pending', async () => {
    const { mkdtemp, mkdir, readdir } = await import('node:fs/promises');
    const path = await import('node:path');
    const os = await import('node:os');
    const dir = await mkdtemp(path.join(os.tmpdir(), 'migrations-'));
    for (const name of await readdir('prisma/migrations', { withFileTypes: true }))
      if (name.isDirectory()) await mkdir(path.join(dir, name.name));
    await mkdir(path.join(dir, '29991231000000_not_applied'));
    const behind = await createApp(testApiEnv({ MIGRATIONS_DIR: dir }));
    await behind.init();
    try {
      const response = await behind.inject({ method: 'GET', url: '/readyz' });
      expect(response.statusCode).toBe(503);
      expect(response.json().error.migrations).toEqual({ status: 'down', pending: ['29991231000000_not_applied'] });
    } finally {
      await behind.close();
    }
  });

  it('echoes a caller X-Request-ID and mints one otherwise', async () => {
    const given = await app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': 'req-42' } });
    expect(given.headers['x-request-id']).toBe('req-42');
    const minted = await app.inject({ method: 'GET', url: '/healthz' });
    expect(minted.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});
