import { randomBytes } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import { QueueName } from '@wopi/jobs';
import { redisOptionsFromUrl } from '@wopi/redis';
import { Queue } from 'bullmq';
import { createWorker } from '../src/create-worker';
import { baseTestEnv, testWorkerEnv } from '../../../test/support/gateway-env';

describe('WORKER_JOBS', () => {
  const prefix = `${baseTestEnv().QUEUE_PREFIX}-jobs-${randomBytes(3).toString('hex')}`;
  const queues = Object.values(QueueName).map(
    (name) => new Queue(name, { connection: redisOptionsFromUrl(process.env.REDIS_URL!), prefix }),
  );
  afterAll(() => Promise.all(queues.map((queue) => queue.close())));

  /** The queues some worker of this prefix is consuming, as BullMQ reports them. */
  async function consumedQueues(): Promise<string[]> {
    const counts = await Promise.all(queues.map(async (queue) => [queue.name, await queue.getWorkersCount()] as const));
    return counts.filter(([, count]) => count > 0).map(([name]) => name);
  }

  async function withWorker(jobs: string | undefined, check: () => Promise<void>): Promise<void> {
    const worker: INestApplicationContext = await createWorker(
      testWorkerEnv({ QUEUE_PREFIX: prefix, ...(jobs ? { WORKER_JOBS: jobs } : {}) }),
    );
    await worker.init();
    try {
      await check();
    } finally {
      await worker.close();
    }
  }

  it('takes every kind of job by default', async () => {
    await withWorker(undefined, async () => {
      expect((await consumedQueues()).sort()).toEqual(Object.values(QueueName).sort());
    });
  });

  it('takes only the jobs it names', async () => {
    await withWorker('conversion', async () => {
      expect(await consumedQueues()).toEqual([QueueName.Conversion]);
    });
  });
});
