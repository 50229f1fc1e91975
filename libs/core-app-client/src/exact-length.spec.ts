import { Readable } from 'node:stream';
import { CoreAppError, CoreAppErrorKind } from './core-app.error';
import { exactLength } from './exact-length';

/** Reads as a response being piped out would: chunk by chunk as they come, until the end or an error. */
function drain(stream: Readable): Promise<{ bytes: number; error?: unknown }> {
  return new Promise((resolve) => {
    let bytes = 0;
    stream.on('data', (chunk: Buffer) => (bytes += chunk.length));
    stream.on('end', () => resolve({ bytes }));
    stream.on('error', (error) => resolve({ bytes, error }));
  });
}

const source = (...sizes: number[]) => Readable.from(sizes.map((size) => Buffer.alloc(size, 7)));

describe('exactLength', () => {
  it('passes a body of exactly the announced length through unchanged', async () => {
    expect(await drain(exactLength(source(3, 4), 7))).toEqual({ bytes: 7 });
  });

  it('fails a body that ends short instead of ending it', async () => {
    const { bytes, error } = await drain(exactLength(source(3, 2), 7));
    expect(bytes).toBe(5);
    expect(error).toBeInstanceOf(CoreAppError);
    expect((error as CoreAppError).kind).toBe(CoreAppErrorKind.BadResponse);
  });

  it('fails a body longer than announced before passing the extra bytes on', async () => {
    const { bytes, error } = await drain(exactLength(source(4, 4), 7));
    expect(bytes).toBe(4);
    expect((error as CoreAppError).kind).toBe(CoreAppErrorKind.BadResponse);
  });

  it('passes on a failure of the source and destroys the source when the reader goes away', async () => {
    const broken = new Readable({ read() {} });
    const checked = exactLength(broken, 10);
    broken.push(Buffer.alloc(2));
    broken.destroy(new Error('socket hang up'));
    expect((await drain(checked)).error).toEqual(new Error('socket hang up'));

    const abandoned = new Readable({ read() {} });
    exactLength(abandoned, 10).destroy();
    await new Promise((resolve) => setImmediate(resolve));
    expect(abandoned.destroyed).toBe(true);
  });
});
