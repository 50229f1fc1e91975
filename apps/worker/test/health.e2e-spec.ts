import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { QueueName } from '@wopi/jobs';
import { createWorker } from '../src/create-worker';
import { ConversionProcessor } from '../src/conversion/conversion.processor';
import { baseTestEnv, testWorkerEnv } from '../../../test/support/gateway-env';
import { freePort } from '../../../test/support/api-process';
import { waitFor } from '../../../test/support/wait-for';

// Its own prefix and no write-back: this worker must not take the run's write-backs (gateway-env.ts).
const prefix = () => `${baseTestEnv().QUEUE_PREFIX}-health-${randomBytes(3).toString('hex')}`;
const JOBS = `${QueueName.Conversion},${QueueName.Housekeeping}`;

interface HealthBody {
  status: 'ok' | 'error';
  info?: Record<string, Record<string, unknown>>;
  error?: Record<string, Record<string, unknown>>;
}

async function probe(url: string): Promise<{ status: number; body: HealthBody }> {
  const response = await fetch(url);
  return { status: response.status, body: (await response.json()) as HealthBody };
}

async function refused(url: string): Promise<boolean> {
  return fetch(url).then(
    () => false,
    (error: { cause?: { code?: string } }) => error.cause?.code === 'ECONNREFUSED',
  );
}

function imageHealthcheck(port: number): Promise<number | null> {
  const script = path.resolve(__dirname, '../../../deploy/docker/healthcheck.cjs');
  const check = spawn(process.execPath, [script, 'worker'], {
    env: { PATH: process.env.PATH, WORKER_HEALTH_PORT: String(port) },
    stdio: 'ignore',
  });
  return new Promise((resolve) => check.once('exit', (code) => resolve(code)));
}

describe('worker health listener', () => {
  async function startWorker(overrides: Record<string, string> = {}) {
    const app = (await createWorker(
      testWorkerEnv({ QUEUE_PREFIX: prefix(), WORKER_JOBS: JOBS, WORKER_HEALTH_PORT: '0', ...overrides }),
    )) as NestFastifyApplication;
    const { port } = app.getHttpServer().address() as { port: number };
    return { app, url: `http://127.0.0.1:${port}` };
  }

  it('is alive and ready with PostgreSQL, Redis and a running worker on each of its queues', async () => {
    const { app, url } = await startWorker();
    try {
      expect(await probe(`${url}/healthz`)).toEqual({ status: 200, body: expect.objectContaining({ status: 'ok' }) });
      const ready = await probe(`${url}/readyz`);
      expect(ready.status).toBe(200);
      expect(ready.body.info).toEqual({
        postgres: { status: 'up' },
        redis: { status: 'up' },
        queues: { status: 'up', [QueueName.Conversion]: 'running', [QueueName.Housekeeping]: 'running' },
      });
    } finally {
      await app.close();
    }
  });

  it('is not ready when one of its queues stops taking jobs, but stays alive', async () => {
    const { app, url } = await startWorker();
    try {
      await app.get(ConversionProcessor).worker.close();
      const ready = await probe(`${url}/readyz`);
      expect(ready.status).toBe(503);
      expect(ready.body.error).toEqual({
        queues: { status: 'down', [QueueName.Conversion]: 'closing', [QueueName.Housekeeping]: 'running' },
      });
      expect((await probe(`${url}/healthz`)).status).toBe(200);
    } finally {
      await app.close();
    }
  });

  it('is not ready while PostgreSQL cannot be reached, and says so', async () => {
    const closedPort = await freePort();
    const { app, url } = await startWorker({ DATABASE_URL: `postgresql://postgres@127.0.0.1:${closedPort}/nowhere` });
    try {
      const ready = await probe(`${url}/readyz`);
      expect(ready.status).toBe(503);
      expect(ready.body.error).toEqual({ postgres: { status: 'down', message: expect.any(String) } });
      expect(ready.body.info).toMatchObject({ redis: { status: 'up' }, queues: { status: 'up' } });
    } finally {
      await app.close();
    }
  });

  it('stops listening when the worker shuts down', async () => {
    const { app, url } = await startWorker();
    expect((await probe(`${url}/healthz`)).status).toBe(200);
    await app.close();
    expect(await refused(`${url}/healthz`)).toBe(true);
  });

  it('has no HTTP listener unless WORKER_HEALTH_PORT is set', async () => {
    const app = await createWorker(testWorkerEnv({ QUEUE_PREFIX: prefix(), WORKER_JOBS: JOBS }));
    try {
      expect('getHttpServer' in app).toBe(false);
    } finally {
      await app.close();
    }
  });

  // The built process, as a container runs it: the probe port answers, and SIGTERM closes it.
  it('serves the probes from `npm run start:worker` and closes them on SIGTERM, exiting 0', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const child = spawn(process.execPath, [path.resolve(__dirname, '../../../dist/apps/worker/src/main.js')], {
      env: {
        ...process.env,
        ...baseTestEnv(),
        QUEUE_PREFIX: prefix(),
        WORKER_JOBS: JOBS,
        WORKER_HEALTH_PORT: String(port),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (chunk) => (output += chunk));
    child.stderr!.on('data', (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await waitFor(
        () =>
          fetch(`${url}/readyz`).then(
            (r) => r.status === 200,
            () => child.exitCode !== null && 'exited',
          ),
        'the worker process to be ready',
        30_000,
      ).then((value) => {
        if (value === 'exited') throw new Error(`worker exited:\n${output}`);
      });
      // The images' HEALTHCHECK (deploy/docker/healthcheck.cjs) reads the same port from the env.
      expect(await imageHealthcheck(port)).toBe(0);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(await refused(`${url}/healthz`)).toBe(true);
      expect(await imageHealthcheck(port)).toBe(1);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  }, 60_000);
});
