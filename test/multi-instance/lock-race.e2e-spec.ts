/**
 * 50 WOPI clients race Lock / UnlockAndRelock / Unlock on one file through two api processes
 * sharing one Redis: there is never more than one holder, and every 409 names a real lock.
 */
import { randomBytes } from 'node:crypto';
import type { PrismaClient } from '@wopi/db';
import { type ApiProcess, startApiProcess } from '../support/api-process';
import { startDemoCore, type RunningDemoCore } from '../support/demo-core';
import { createTestTenant, testPrisma } from '../support/test-tenant';

const CLIENTS = 50;
const ROUNDS_PER_CLIENT = 4;

describe('locks across two api instances', () => {
  let core: RunningDemoCore;
  let prisma: PrismaClient;
  let apis: ApiProcess[];

  beforeAll(async () => {
    core = await startDemoCore();
    prisma = testPrisma();
    apis = await Promise.all([startApiProcess(), startApiProcess()]);
  }, 60_000);

  afterAll(async () => {
    await Promise.all((apis ?? []).map((api) => api.stop()));
    await core?.close();
    await prisma?.$disconnect();
  });

  it('never has two holders, and every conflict names the real lock', async () => {
    const tenant = await createTestTenant(prisma, core);
    const sessionResponse = await fetch(`${apis[0].url}/api/v1/sessions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tenant.sessionApiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ fileRef: await core.refOf('Budget.xlsx'), userId: 'alice' }),
    });
    const { fileId, accessToken } = (await sessionResponse.json()) as { fileId: string; accessToken: string };

    const granted = new Set<string>();
    const holds: { client: number; from: number; to: number }[] = [];
    const conflicts: string[] = [];
    const unexpected: string[] = [];
    const call = (api: ApiProcess, override: string, headers: Record<string, string>) =>
      fetch(`${api.url}/wopi/files/${fileId}?access_token=${encodeURIComponent(accessToken)}`, {
        method: 'POST',
        headers: { 'x-wopi-override': override, ...headers },
      });

    async function client(index: number): Promise<void> {
      for (let round = 0; round < ROUNDS_PER_CLIENT; round++) {
        const api = apis[(index + round) % apis.length];
        let lockId = `c${index}-r${round}-${randomBytes(4).toString('hex')}`;
        const locked = await call(api, 'LOCK', { 'x-wopi-lock': lockId });
        if (locked.status === 409) {
          conflicts.push(locked.headers.get('x-wopi-lock') ?? '<missing>');
          continue;
        }
        if (locked.status !== 200) unexpected.push(`LOCK ${locked.status}`);
        granted.add(lockId);
        const from = performance.now();
        if (round % 2 === 0) {
          // Hand the lock over to a new id without ever releasing it (UnlockAndRelock).
          const next = `${lockId}-relocked`;
          const relocked = await call(apis[(index + round + 1) % apis.length], 'LOCK', {
            'x-wopi-lock': next,
            'x-wopi-oldlock': lockId,
          });
          if (relocked.status !== 200) unexpected.push(`UnlockAndRelock ${relocked.status}`);
          granted.add(next);
          lockId = next;
        }
        const to = performance.now();
        const unlocked = await call(api, 'UNLOCK', { 'x-wopi-lock': lockId });
        if (unlocked.status !== 200) unexpected.push(`UNLOCK ${unlocked.status}`);
        holds.push({ client: index, from, to });
      }
    }

    await Promise.all(Array.from({ length: CLIENTS }, (_, i) => client(i)));

    expect(unexpected).toEqual([]);
    expect(holds.length).toBeGreaterThan(0);
    const sorted = [...holds].sort((a, b) => a.from - b.from);
    for (let i = 1; i < sorted.length; i++) {
      // A hold (from the 200 of Lock until Unlock was sent) must end before the next one starts.
      expect({ overlap: sorted[i].from < sorted[i - 1].to, a: sorted[i - 1], b: sorted[i] }).toMatchObject({
        overlap: false,
      });
    }
    for (const conflict of conflicts) expect(granted.has(conflict)).toBe(true);
    expect(holds.length + conflicts.length).toBe(CLIENTS * ROUNDS_PER_CLIENT);
  }, 120_000);
});
