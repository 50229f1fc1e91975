import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { DemoCoreErrorCode } from '../demo-core.error';
import { measureContent } from './content-meter';

describe('measureContent', () => {
  it('reports size and SHA-256 of a multi-chunk stream', async () => {
    const chunks = [Buffer.from('hello '), Buffer.from('streaming '), Buffer.from('world')];
    const expected = createHash('sha256').update(Buffer.concat(chunks)).digest('hex');
    await expect(measureContent(Readable.from(chunks), 1024)).resolves.toEqual({ size: 21, sha256: expected });
  });

  it('accepts exactly the limit and fails one byte past it', async () => {
    await expect(measureContent(Readable.from([Buffer.alloc(10)]), 10)).resolves.toEqual(
      expect.objectContaining({ size: 10 }),
    );
    await expect(measureContent(Readable.from([Buffer.alloc(6), Buffer.alloc(5)]), 10)).rejects.toEqual(
      expect.objectContaining({ code: DemoCoreErrorCode.PayloadTooLarge }),
    );
  });

  it('measures an empty body', async () => {
    await expect(measureContent(Readable.from([]), 10)).resolves.toEqual({
      size: 0,
      sha256: createHash('sha256').digest('hex'),
    });
  });
});
