import { randomBytes } from 'node:crypto';
import { readZip } from '../../test/read-zip';
import { createZip } from './zip-writer';

describe('createZip', () => {
  it('writes entries that read back byte for byte, in order', () => {
    const text = 'Hello, ZIP! '.repeat(200);
    const noise = randomBytes(4096);
    const archive = createZip([
      { name: 'mimetype', data: 'application/vnd.oasis.opendocument.text', store: true },
      { name: 'dir/text.txt', data: text },
      { name: 'dir/noise.bin', data: noise },
      { name: 'empty', data: Buffer.alloc(0) },
      { name: 'ünïcode/名前.xml', data: '<a/>' },
    ]);

    const entries = readZip(archive);
    expect(entries.map((e) => e.name)).toEqual([
      'mimetype',
      'dir/text.txt',
      'dir/noise.bin',
      'empty',
      'ünïcode/名前.xml',
    ]);
    expect(entries[0].data.toString()).toBe('application/vnd.oasis.opendocument.text');
    expect(entries[1].data.toString()).toBe(text);
    expect(entries[2].data.equals(noise)).toBe(true);
    expect(entries[3].data.length).toBe(0);
    expect(entries[4].data.toString()).toBe('<a/>');
  });

  it('stores the first entry uncompressed at offset 0 when asked (ODF mimetype rule)', () => {
    const archive = createZip([
      { name: 'mimetype', data: 'application/vnd.oasis.opendocument.text', store: true },
      { name: 'content.xml', data: '<x/>'.repeat(100) },
    ]);
    const [mimetype, content] = readZip(archive);
    expect(mimetype.method).toBe(0);
    expect(mimetype.localHeaderOffset).toBe(0);
    // ODF 1.3 part 2, 3.3: readers may sniff the media type at byte 38 of the package.
    expect(archive.toString('ascii', 38, 38 + 39)).toBe('application/vnd.oasis.opendocument.text');
    expect(content.method).toBe(8);
  });

  it('falls back to storing data that deflate would grow', () => {
    const [entry] = readZip(createZip([{ name: 'random.bin', data: randomBytes(1024) }]));
    expect(entry.method).toBe(0);
  });

  it('marks non-ASCII names as UTF-8 and leaves ASCII names unflagged', () => {
    const [ascii, utf8] = readZip(
      createZip([
        { name: 'plain.txt', data: 'a' },
        { name: 'café.txt', data: 'b' },
      ]),
    );
    expect(ascii.flags & 0x0800).toBe(0);
    expect(utf8.flags & 0x0800).toBe(0x0800);
  });

  it('is deterministic for a fixed timestamp', () => {
    const entries = [{ name: 'a.txt', data: 'same' }];
    const modifiedAt = new Date('2024-05-06T07:08:10Z');
    expect(createZip(entries, { modifiedAt }).equals(createZip(entries, { modifiedAt }))).toBe(true);
  });

  it.each(['', '/abs', '../up', 'a/../b', 'back\\slash', './a'])('rejects the unsafe name %j', (name) => {
    expect(() => createZip([{ name, data: 'x' }])).toThrow(/invalid ZIP entry name/);
  });

  it('rejects duplicate names', () => {
    expect(() =>
      createZip([
        { name: 'a', data: '1' },
        { name: 'a', data: '2' },
      ]),
    ).toThrow(/duplicate/);
  });
});
