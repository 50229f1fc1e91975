import { Logger } from '@nestjs/common';
import { PrismaService } from '@wopi/db';
import { generateApiKey } from './api-key';
import { ApiKeyUsage } from './api-key-usage';

/**
 * ApiKeyUsage on the run's PostgreSQL. Each call is given its own instant, so the stored time
 * tells which call (if any) wrote it: a call that wrote leaves its own instant behind.
 */
describe('ApiKeyUsage', () => {
  const INTERVAL_MS = 60_000;
  let prisma: PrismaService;

  beforeAll(() => {
    prisma = new PrismaService(process.env.DATABASE_URL!);
  });
  afterAll(async () => {
    await prisma.$disconnect();
  });

  async function newKey(): Promise<string> {
    const key = generateApiKey();
    await prisma.apiKey.create({
      data: { kind: 'ADMIN', name: 'usage test', keyId: key.keyId, secretHash: key.secretHash, scopes: ['read'] },
    });
    return key.keyId;
  }
  const lastUsedAt = async (keyId: string) =>
    (await prisma.apiKey.findUniqueOrThrow({ where: { keyId } })).lastUsedAt?.getTime() ?? null;

  it('writes the first use, then nothing until the interval has passed', async () => {
    const usage = new ApiKeyUsage(prisma, { intervalMs: INTERVAL_MS });
    const keyId = await newKey();
    const t0 = Date.parse('2026-06-01T12:00:00.000Z');
    expect(await lastUsedAt(keyId)).toBeNull();

    usage.used(keyId, t0);
    await usage.settled();
    expect(await lastUsedAt(keyId)).toBe(t0);

    // A burst within the interval: this process sends no UPDATE at all. The row is cleared behind
    // its back, so an UPDATE (which the SQL condition would otherwise refuse) would show.
    await prisma.apiKey.update({ where: { keyId }, data: { lastUsedAt: null } });
    for (let i = 1; i <= 50; i += 1) usage.used(keyId, t0 + i * 1000);
    await usage.settled();
    expect(await lastUsedAt(keyId)).toBeNull();

    usage.used(keyId, t0 + INTERVAL_MS);
    await usage.settled();
    expect(await lastUsedAt(keyId)).toBe(t0 + INTERVAL_MS);
  });

  it('keeps the keys apart', async () => {
    const usage = new ApiKeyUsage(prisma, { intervalMs: INTERVAL_MS });
    const [a, b] = [await newKey(), await newKey()];
    const t0 = Date.parse('2026-06-01T12:00:00.000Z');
    usage.used(a, t0);
    usage.used(b, t0 + 5);
    await usage.settled();
    expect([await lastUsedAt(a), await lastUsedAt(b)]).toEqual([t0, t0 + 5]);
  });

  it('changes a row at most once per interval across processes', async () => {
    // Two api processes, each with its own throttle, on one database.
    const [first, second] = [
      new ApiKeyUsage(prisma, { intervalMs: INTERVAL_MS }),
      new ApiKeyUsage(prisma, { intervalMs: INTERVAL_MS }),
    ];
    const keyId = await newKey();
    const t0 = Date.parse('2026-06-01T12:00:00.000Z');
    first.used(keyId, t0);
    await first.settled();
    second.used(keyId, t0 + 10_000);
    await second.settled();
    expect(await lastUsedAt(keyId)).toBe(t0);
    // The second process tried at t0 + 10 s, so it tries again an interval after that, and succeeds.
    second.used(keyId, t0 + 10_000 + INTERVAL_MS - 1);
    await second.settled();
    expect(await lastUsedAt(keyId)).toBe(t0);
    second.used(keyId, t0 + 10_000 + INTERVAL_MS);
    await second.settled();
    expect(await lastUsedAt(keyId)).toBe(t0 + 10_000 + INTERVAL_MS);
  });

  it('never fails the request: a write that fails is logged, not thrown', async () => {
    const unreachable = new PrismaService('postgresql://postgres@127.0.0.1:1/none');
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      const usage = new ApiKeyUsage(unreachable, { intervalMs: INTERVAL_MS });
      expect(() => usage.used('0123456789abcdef')).not.toThrow();
      await usage.settled();
      expect(warn).toHaveBeenCalledWith(
        expect.objectContaining({ keyId: '0123456789abcdef' }),
        'could not record when an API key was last used',
      );
    } finally {
      warn.mockRestore();
      await unreachable.$disconnect();
    }
  });
});
