import { SAMPLE_DOCUMENTS } from '../../../demo-core/src/samples/sample-documents';
import { readDocumentText } from '../documents/document-text';
import type { WopiAnswer, WopiClient, WopiOperation, WopiTarget } from '../wopi/wopi-client';
import { DemoEditorError, DemoEditorErrorCode } from './demo-editor.error';
import { EditorSessions } from './editor-sessions';

/** A WOPI host in memory for one file: versions, one lock, and a log of the operations it got. */
class FakeHost {
  bytes: Buffer = SAMPLE_DOCUMENTS.find((document) => document.name === 'Welcome.docx')!.build({
    author: 'Alice',
    createdAt: new Date('2026-01-01T00:00:00Z'),
  });
  version = 1;
  lock = '';
  operations: string[] = [];

  readonly client = {
    call: async (
      _target: WopiTarget,
      operation: WopiOperation,
      options: { headers?: Record<string, string>; body?: Buffer; seq: number },
    ): Promise<WopiAnswer> => {
      this.operations.push(operation);
      const lock = options.headers?.['X-WOPI-Lock'] ?? '';
      const answer = (status: number, body: Buffer = Buffer.alloc(0), headers: Record<string, string> = {}) => ({
        status,
        body,
        headers: new Headers(headers),
        record: { seq: options.seq, operation } as WopiAnswer['record'],
      });
      switch (operation) {
        case 'CheckFileInfo':
          return answer(
            200,
            Buffer.from(
              JSON.stringify({
                BaseFileName: 'Welcome.docx',
                Version: String(this.version),
                UserCanWrite: true,
                SupportsLocks: true,
                SupportsUpdate: true,
              }),
            ),
          );
        case 'GetFile':
          return answer(200, this.bytes, { 'X-WOPI-ItemVersion': String(this.version) });
        case 'Lock':
        case 'RefreshLock':
          if (this.lock && this.lock !== lock) return answer(409, undefined, { 'X-WOPI-Lock': this.lock });
          this.lock = lock;
          return answer(200);
        case 'Unlock':
          if (this.lock !== lock) return answer(409, undefined, { 'X-WOPI-Lock': this.lock });
          this.lock = '';
          return answer(200);
        case 'PutFile':
          if (this.lock !== lock) return answer(409, undefined, { 'X-WOPI-Lock': this.lock });
          this.bytes = options.body!;
          this.version += 1;
          return answer(200, undefined, { 'X-WOPI-ItemVersion': String(this.version) });
        default:
          return answer(501);
      }
    },
  } as unknown as WopiClient;
}

const target: WopiTarget = { wopiSrc: 'http://gateway.test/wopi/files/f1', accessToken: 't', accessTokenTtl: '0' };

describe('EditorSessions (co-authoring through one lock)', () => {
  let host: FakeHost;
  let sessions: EditorSessions;

  beforeEach(() => {
    host = new FakeHost();
    sessions = new EditorSessions(host.client, 60_000);
  });

  const texts = () => readDocumentText('docx', host.bytes).map((field) => field.text);

  it("merges a save onto a co-author's newer version, and unlocks when the last editor leaves", async () => {
    const alice = sessions.start(target, 'edit');
    const bob = sessions.start({ ...target, accessToken: 'u' }, 'edit');
    await sessions.open(alice);
    const opened = await sessions.open(bob);
    expect(opened.file.editable).toBe(true);
    expect(host.operations).toEqual(['CheckFileInfo', 'Lock', 'GetFile', 'CheckFileInfo', 'Lock', 'GetFile']);

    await sessions.save(alice, { p1: 'Alice' });
    // Bob never reloaded: his save goes onto Alice's version, keeping her change.
    const saved = await sessions.save(bob, { p3: 'Bob' });
    expect(saved.notice).toBe('saved as version 3');
    expect(texts()[1]).toBe('Alice');
    expect(texts()[3]).toBe('Bob');

    await sessions.close(alice);
    expect(host.operations).not.toContain('Unlock');
    expect(host.lock).not.toBe('');
    await sessions.close(bob);
    expect(host.operations.at(-1)).toBe('Unlock');
    expect(host.lock).toBe('');
  });

  it('refuses a save over a co-author’s change of the same text, and loads their version', async () => {
    const alice = sessions.start(target, 'edit');
    const bob = sessions.start(target, 'edit');
    await sessions.open(alice);
    await sessions.open(bob);
    await sessions.save(alice, { p1: 'Alice' });
    const error = await sessions.save(bob, { p1: 'Bob' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DemoEditorError);
    expect((error as DemoEditorError).code).toBe(DemoEditorErrorCode.EditConflict);
    expect(texts()[1]).toBe('Alice');
    // Bob now works on Alice's version: his next save of that text goes through.
    await sessions.save(bob, { p1: 'Bob, after reading Alice' });
    expect(texts()[1]).toBe('Bob, after reading Alice');
  });

  it('opens read-only when another client holds the lock, and never writes then', async () => {
    host.lock = 'someone-else';
    const alice = sessions.start(target, 'edit');
    const opened = await sessions.open(alice);
    expect(opened.file.editable).toBe(false);
    expect(opened.file.readOnlyReason).toMatch(/another editor has the document locked/);
    await expect(sessions.save(alice, { p1: 'x' })).rejects.toMatchObject({ code: DemoEditorErrorCode.ReadOnly });
    expect(host.operations).not.toContain('PutFile');
  });
});
