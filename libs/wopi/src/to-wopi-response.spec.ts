import { readFileSync } from 'node:fs';
import path from 'node:path';
import { COLLABORA_DOCUMENT_CHANGED_STATUS_CODE, toWopiResponse } from './to-wopi-response';
import { decodeUtf7 } from './utf7';
import { WopiError, WopiErrorCode } from './wopi-error';
import { WopiHeader } from './wopi-header';

// One error per code with every optional field set, so that each mapping shows all its headers.
// A Record over the enum: adding a code without a sample does not compile.
const FULL_SAMPLES: Record<WopiErrorCode, WopiError> = {
  [WopiErrorCode.InvalidToken]: WopiError.invalidToken(),
  [WopiErrorCode.FileNotFound]: WopiError.fileNotFound(),
  [WopiErrorCode.LockMismatch]: WopiError.lockMismatch('lock-A', 'locked by another session', {
    conflictingLockUsername: 'Ada',
  }),
  [WopiErrorCode.InvalidFileName]: WopiError.invalidFileName('contains ":"', 'a-b.docx'),
  [WopiErrorCode.RelativeTargetExists]: WopiError.relativeTargetExists('madeupname (2).wopitestx'),
  [WopiErrorCode.FileTooLarge]: WopiError.fileTooLarge(),
  [WopiErrorCode.PreconditionFailed]: WopiError.preconditionFailed('file is larger than X-WOPI-MaxExpectedSize'),
  [WopiErrorCode.BadRequest]: WopiError.badRequest('x-wopi-lock was not provided or was empty'),
  [WopiErrorCode.NotImplemented]: WopiError.notImplemented('unknown X-WOPI-Override COBALT'),
  [WopiErrorCode.CoreAppUnavailable]: WopiError.coreAppUnavailable(12),
  [WopiErrorCode.CollaboraTimestampMismatch]: WopiError.collaboraTimestampMismatch(),
  [WopiErrorCode.InvalidProof]: WopiError.invalidProof('signature-mismatch'),
  [WopiErrorCode.Internal]: WopiError.internal('req-42'),
};

interface ReadmeRow {
  status: number;
  headers: string[];
}

/** The error table of libs/wopi/README.md: | `CODE` | status | headers | body |. */
function readmeErrorTable(): Map<string, ReadmeRow> {
  const readme = readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
  const rows = new Map<string, ReadmeRow>();
  for (const match of readme.matchAll(/^\|\s*`([A-Z_]+)`\s*\|\s*(\d{3})\b[^|]*\|([^|]*)\|/gm)) {
    const headers = [...match[3].matchAll(/`([A-Za-z-]+)`/g)].map((header) => header[1].toLowerCase());
    rows.set(match[1], { status: Number(match[2]), headers });
  }
  return rows;
}

describe('toWopiResponse', () => {
  const table = readmeErrorTable();

  it.each(Object.values(WopiErrorCode))('maps %s as libs/wopi/README.md documents it', (code) => {
    const error = FULL_SAMPLES[code];
    expect(error.code).toBe(code);
    const row = table.get(code);
    expect(row).toBeDefined();
    const response = toWopiResponse(error);
    expect(response.status).toBe(row!.status);
    expect(Object.keys(response.headers).sort()).toEqual([...row!.headers].sort());
  });

  it('documents no code that does not exist', () => {
    expect([...table.keys()].sort()).toEqual(Object.values(WopiErrorCode).sort());
  });

  it("puts the reason of a 400 into X-WOPI-ServerError, for the client's logs", () => {
    expect(toWopiResponse(WopiError.badRequest('why'))).toEqual({
      status: 400,
      headers: { [WopiHeader.ServerError]: 'why' },
    });
  });

  describe('lock mismatch', () => {
    it('carries the current lock in X-WOPI-Lock', () => {
      expect(toWopiResponse(WopiError.lockMismatch('{"S":"abc"}'))).toEqual({
        status: 409,
        headers: { [WopiHeader.Lock]: '{"S":"abc"}' },
      });
    });

    it("sends X-WOPI-Lock: '' when the file is unlocked (_fragments/lock409.rst)", () => {
      const response = toWopiResponse(WopiError.lockMismatch(''));
      expect(response.headers).toHaveProperty(WopiHeader.Lock, '');
    });

    it("sends '' for a lock that is not representable as a WOPI lock (longer than 1024, non-ASCII)", () => {
      expect(toWopiResponse(WopiError.lockMismatch('x'.repeat(1025))).headers[WopiHeader.Lock]).toBe('');
      expect(toWopiResponse(WopiError.lockMismatch('sérieux')).headers[WopiHeader.Lock]).toBe('');
      expect(toWopiResponse(WopiError.lockMismatch('x'.repeat(1024))).headers[WopiHeader.Lock]).toBe('x'.repeat(1024));
    });

    it('keeps header values safe: no CR/LF, nothing outside printable ASCII', () => {
      const response = toWopiResponse(
        WopiError.lockMismatch('L', 'evil\r\nSet-Cookie: x=1 — é', { conflictingLockUsername: 'José' }),
      );
      expect(response.headers[WopiHeader.LockFailureReason]).toBe('evil??Set-Cookie: x=1 ? ?');
      // A non-ASCII UserFriendlyName cannot travel in a header faithfully: it is left out.
      expect(response.headers).not.toHaveProperty(WopiHeader.ConflictingLockUsername);
    });
  });

  it('encodes X-WOPI-ValidRelativeTarget in UTF-7 (PutRelativeFile.rst)', () => {
    const response = toWopiResponse(WopiError.relativeTargetExists('Résumé (2).docx'));
    expect(response.headers[WopiHeader.ValidRelativeTarget]).toBe('R+AOk-sum+AOk- (2).docx');
    expect(decodeUtf7(response.headers[WopiHeader.ValidRelativeTarget])).toBe('Résumé (2).docx');
    expect(toWopiResponse(WopiError.relativeTargetExists())).toEqual({ status: 409, headers: {} });
    expect(toWopiResponse(WopiError.invalidFileName('bad', 'bad\uD800')).headers).not.toHaveProperty(
      WopiHeader.ValidRelativeTarget,
    );
  });

  it("answers Collabora's timestamp conflict with 409 and COOLStatusCode 1010", () => {
    const response = toWopiResponse(WopiError.collaboraTimestampMismatch());
    expect(response.status).toBe(409);
    expect(JSON.parse(response.body!)).toEqual({ COOLStatusCode: 1010, LOOLStatusCode: 1010 });
    expect(COLLABORA_DOCUMENT_CHANGED_STATUS_CODE).toBe(1010);
    expect(response.headers[WopiHeader.ContentType]).toMatch(/^application\/json/);
  });

  it('sends Retry-After in whole seconds, at least 1', () => {
    const retryAfter = (seconds: number): string =>
      toWopiResponse(WopiError.coreAppUnavailable(seconds)).headers[WopiHeader.RetryAfter];
    expect(retryAfter(12)).toBe('12');
    expect(retryAfter(0.2)).toBe('1');
    expect(retryAfter(0)).toBe('1');
    expect(retryAfter(Number.NaN)).toBe('1');
    expect(retryAfter(29.01)).toBe('30');
  });

  it('answers internal errors with 500, X-WOPI-ServerError and a { correlationId } body', () => {
    const response = toWopiResponse(WopiError.internal('req-42', new Error('boom')));
    expect(response.status).toBe(500);
    expect(response.headers[WopiHeader.ServerError]).toContain('req-42');
    expect(JSON.parse(response.body!)).toEqual({ correlationId: 'req-42' });
  });

  it('keeps the cause for logs', () => {
    const cause = new Error('socket hang up');
    expect(WopiError.coreAppUnavailable(5, cause).cause).toBe(cause);
    expect(WopiError.internal('id', cause)).toBeInstanceOf(Error);
    expect(WopiError.internal('id', cause).name).toBe('WopiError');
  });
});
