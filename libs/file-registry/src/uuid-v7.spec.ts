import { uuidV7 } from './uuid-v7';

describe('uuidV7', () => {
  it('is an RFC 9562 version 7 UUID whose first 48 bits are the Unix milliseconds', () => {
    const nowMs = Date.UTC(2026, 11, 1, 23, 40);
    const id = uuidV7(nowMs);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(nowMs);
  });

  it('orders by time, as the ids Prisma makes do (keyset paging, write-back job ids)', () => {
    const earlier = uuidV7(1_000_000);
    const later = uuidV7(1_000_001);
    expect(earlier < later).toBe(true);
    expect(uuidV7(5)).not.toBe(uuidV7(5));
  });
});
