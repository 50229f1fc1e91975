import type { IncomingHttpHeaders } from 'node:http';
import {
  DEFAULT_MAX_EXPECTED_SIZE_BYTES,
  parseWopiRequest,
  type WopiRequestInput,
  type WopiRequestParseResult,
} from './parse-wopi-request';
import { encodeUtf7 } from './utf7';
import { WopiErrorCode } from './wopi-error';
import { WopiHeader } from './wopi-header';
import { WopiOperation, WopiOverride } from './wopi-operation';

const post = (path: 'files' | 'contents', headers: IncomingHttpHeaders): WopiRequestInput => ({
  method: 'POST',
  path,
  headers,
});
const files = (override: string, headers: IncomingHttpHeaders = {}): WopiRequestInput =>
  post('files', { [WopiHeader.Override]: override, ...headers });

function parsed(input: WopiRequestInput) {
  const result = parseWopiRequest(input);
  if (!result.ok) throw new Error(`expected success, got ${result.error.message}`);
  return result.request;
}

function failure(input: WopiRequestInput): Extract<WopiRequestParseResult, { ok: false }> {
  const result = parseWopiRequest(input);
  if (result.ok) throw new Error(`expected failure, got ${JSON.stringify(result.request)}`);
  return result;
}

describe('parseWopiRequest', () => {
  describe('identifies the operation from method, path and X-WOPI-Override', () => {
    it.each<[string, WopiRequestInput, WopiOperation]>([
      ['GET files', { method: 'GET', path: 'files', headers: {} }, WopiOperation.CheckFileInfo],
      ['GET contents', { method: 'GET', path: 'contents', headers: {} }, WopiOperation.GetFile],
      ['PUT on contents', post('contents', { [WopiHeader.Override]: 'PUT' }), WopiOperation.PutFile],
      ['LOCK', files('LOCK', { [WopiHeader.Lock]: 'L1' }), WopiOperation.Lock],
      [
        'LOCK + OldLock',
        files('LOCK', { [WopiHeader.Lock]: 'L2', [WopiHeader.OldLock]: 'L1' }),
        WopiOperation.UnlockAndRelock,
      ],
      ['GET_LOCK', files('GET_LOCK'), WopiOperation.GetLock],
      ['REFRESH_LOCK', files('REFRESH_LOCK', { [WopiHeader.Lock]: 'L1' }), WopiOperation.RefreshLock],
      ['UNLOCK', files('UNLOCK', { [WopiHeader.Lock]: 'L1' }), WopiOperation.Unlock],
      ['PUT_RELATIVE', files('PUT_RELATIVE', { [WopiHeader.SuggestedTarget]: '.docx' }), WopiOperation.PutRelativeFile],
      ['RENAME_FILE', files('RENAME_FILE', { [WopiHeader.RequestedName]: 'new' }), WopiOperation.RenameFile],
      ['DELETE', files('DELETE'), WopiOperation.DeleteFile],
      ['PUT_USER_INFO', files('PUT_USER_INFO'), WopiOperation.PutUserInfo],
      ['GET_SHARE_URL', files('GET_SHARE_URL', { [WopiHeader.UrlType]: 'ReadOnly' }), WopiOperation.GetShareUrl],
      [
        'a lowercase method',
        { method: 'post', path: 'files', headers: { [WopiHeader.Override]: 'DELETE' } },
        WopiOperation.DeleteFile,
      ],
    ])('%s', (_name, input, operation) => {
      expect(parsed(input).operation).toBe(operation);
    });

    it('reaches every operation of the enum', () => {
      const reached = new Set<WopiOperation>([
        WopiOperation.CheckFileInfo,
        WopiOperation.GetFile,
        WopiOperation.PutFile,
        WopiOperation.UnlockAndRelock,
      ]);
      for (const override of Object.values(WopiOverride)) {
        const result = parseWopiRequest(files(override));
        const operation = result.ok ? result.request.operation : result.operation;
        if (operation !== undefined) reached.add(operation);
      }
      expect([...reached].sort()).toEqual(Object.values(WopiOperation).sort());
    });

    it.each<[string, WopiRequestInput, string | undefined]>([
      ['POST files without X-WOPI-Override', post('files', {}), undefined],
      ['an unknown override', files('COBALT'), 'COBALT'],
      ['a CSPP Plus override the host does not implement', files('GET_COAUTH_LOCK'), 'GET_COAUTH_LOCK'],
      ['an override in the wrong case', files('lock', { [WopiHeader.Lock]: 'L1' }), 'lock'],
      ['POST contents without override', post('contents', {}), undefined],
      [
        'POST contents with another override',
        post('contents', { [WopiHeader.Override]: 'PUT_RELATIVE' }),
        'PUT_RELATIVE',
      ],
      ['another method', { method: 'DELETE', path: 'files', headers: {} }, undefined],
    ])('answers 501 for %s', (_name, input, override) => {
      const result = failure(input);
      expect(result.error.code).toBe(WopiErrorCode.NotImplemented);
      expect(result.operation).toBeUndefined();
      expect(result.override).toBe(override);
    });

    it('ignores X-WOPI-Override on GET', () => {
      expect(parsed({ method: 'GET', path: 'files', headers: { [WopiHeader.Override]: 'DELETE' } }).operation).toBe(
        WopiOperation.CheckFileInfo,
      );
    });

    it('refuses a header sent twice', () => {
      const result = failure(files('UNLOCK', { [WopiHeader.Lock]: ['L1', 'L2'] as unknown as string }));
      expect(result.error.code).toBe(WopiErrorCode.BadRequest);
      expect(result.operation).toBe(WopiOperation.Unlock);
      expect(parsed(files('UNLOCK', { [WopiHeader.Lock]: ['L1'] as unknown as string }))).toEqual({
        operation: WopiOperation.Unlock,
        lock: 'L1',
      });
    });
  });

  it('CheckFileInfo passes X-WOPI-SessionContext on', () => {
    expect(parsed({ method: 'GET', path: 'files', headers: { [WopiHeader.SessionContext]: 'ctx-1' } })).toEqual({
      operation: WopiOperation.CheckFileInfo,
      sessionContext: 'ctx-1',
    });
  });

  describe('GetFile', () => {
    const getFile = (maxExpectedSize?: string): WopiRequestInput => ({
      method: 'GET',
      path: 'contents',
      headers: maxExpectedSize === undefined ? {} : { [WopiHeader.MaxExpectedSize]: maxExpectedSize },
    });

    it('defaults X-WOPI-MaxExpectedSize to the largest 4-byte integer (GetFile.rst)', () => {
      expect(parsed(getFile())).toEqual({ operation: WopiOperation.GetFile, maxExpectedSizeBytes: 2_147_483_647 });
      expect(DEFAULT_MAX_EXPECTED_SIZE_BYTES).toBe(2 ** 31 - 1);
    });

    it('reads X-WOPI-MaxExpectedSize as a number', () => {
      expect(parsed(getFile('1048576'))).toEqual({ operation: WopiOperation.GetFile, maxExpectedSizeBytes: 1_048_576 });
      expect(parsed(getFile('0'))).toEqual({ operation: WopiOperation.GetFile, maxExpectedSizeBytes: 0 });
      expect(parsed(getFile('5000000000'))).toEqual({
        operation: WopiOperation.GetFile,
        maxExpectedSizeBytes: 5_000_000_000,
      });
    });

    it.each(['-1', 'abc', '1e6', '12.5', '', '99999999999999999999'])(
      'refuses X-WOPI-MaxExpectedSize %p with 400',
      (value) => {
        const result = failure(getFile(value));
        expect(result.error.code).toBe(WopiErrorCode.BadRequest);
        expect(result.operation).toBe(WopiOperation.GetFile);
      },
    );
  });

  describe('PutFile', () => {
    const putFile = (headers: IncomingHttpHeaders = {}): WopiRequestInput =>
      post('contents', { [WopiHeader.Override]: 'PUT', ...headers });

    it('reads the lock and the editors', () => {
      expect(parsed(putFile({ [WopiHeader.Lock]: 'L1', [WopiHeader.Editors]: ' t1:u1, t1:u2 ,,' }))).toEqual({
        operation: WopiOperation.PutFile,
        lock: 'L1',
        editors: ['t1:u1', 't1:u2'],
      });
    });

    it('has no lock when none (or an empty one) was sent: creating content for a new file (PutFile.rst)', () => {
      expect(parsed(putFile())).toEqual({ operation: WopiOperation.PutFile, editors: [] });
      expect(parsed(putFile({ [WopiHeader.Lock]: '' }))).toMatchObject({ lock: undefined });
    });

    it('refuses a lock longer than 1024 characters', () => {
      expect(failure(putFile({ [WopiHeader.Lock]: 'x'.repeat(1025) })).error.code).toBe(WopiErrorCode.BadRequest);
    });

    it('reads Collabora headers, COOL spelling first, LOOL as fallback', () => {
      expect(
        parsed(
          putFile({
            [WopiHeader.CoolTimestamp]: '2026-11-21T10:00:00.1230000Z',
            [WopiHeader.LoolTimestamp]: '1999-01-01T00:00:00Z',
            [WopiHeader.CoolIsModifiedByUser]: 'true',
            [WopiHeader.LoolIsAutosave]: 'false',
            [WopiHeader.CoolIsExitSave]: 'TRUE',
          }),
        ),
      ).toEqual({
        operation: WopiOperation.PutFile,
        editors: [],
        collaboraTimestamp: '2026-11-21T10:00:00.1230000Z',
        isModifiedByUser: true,
        isAutosave: false,
        isExitSave: true,
      });
      expect(parsed(putFile({ [WopiHeader.LoolTimestamp]: '2020-01-01T00:00:00Z' }))).toMatchObject({
        collaboraTimestamp: '2020-01-01T00:00:00Z',
      });
    });

    it('passes an unparsable timestamp on (isSameInstant() turns it into a conflict) and ignores unreadable flags', () => {
      expect(
        parsed(putFile({ [WopiHeader.CoolTimestamp]: 'yesterday', [WopiHeader.CoolIsAutosave]: 'maybe' })),
      ).toMatchObject({
        collaboraTimestamp: 'yesterday',
        isAutosave: undefined,
      });
    });
  });

  describe('lock operations', () => {
    it.each(['LOCK', 'REFRESH_LOCK', 'UNLOCK'])(
      '%s: a missing or empty X-WOPI-Lock is a 400 (Lock.rst)',
      (override) => {
        for (const headers of [{}, { [WopiHeader.Lock]: '' }]) {
          const result = failure(files(override, headers));
          expect(result.error.code).toBe(WopiErrorCode.BadRequest);
          expect(result.operation).toBeDefined();
        }
      },
    );

    it('accepts a lock of 1024 ASCII characters (ExtendedLockLength) with tabs and JSON', () => {
      const lock = `{"S":"\t${'x'.repeat(1015)}"}`;
      expect(lock).toHaveLength(1024);
      expect(parsed(files('LOCK', { [WopiHeader.Lock]: lock }))).toMatchObject({ operation: WopiOperation.Lock, lock });
    });

    it.each([
      ['longer than 1024 characters', 'x'.repeat(1025), /longer than 1024/],
      ['non-ASCII', 'lock-\u00e9', /printable ASCII/],
      ['with a control character', 'a\u0001b', /printable ASCII/],
    ])('refuses a lock %s with 400', (_name, lock, message) => {
      for (const override of ['LOCK', 'REFRESH_LOCK', 'UNLOCK']) {
        const result = failure(files(override, { [WopiHeader.Lock]: lock }));
        expect(result.error.code).toBe(WopiErrorCode.BadRequest);
        expect(result.error.message).toMatch(message);
      }
      expect(failure(files('LOCK', { [WopiHeader.Lock]: 'ok', [WopiHeader.OldLock]: lock })).operation).toBe(
        WopiOperation.UnlockAndRelock,
      );
    });

    it('gives Lock the default 30-minute TTL and no visibility', () => {
      expect(parsed(files('LOCK', { [WopiHeader.Lock]: 'L1' }))).toEqual({
        operation: WopiOperation.Lock,
        lock: 'L1',
        lockTtlMs: 30 * 60 * 1000,
        lockUserVisible: false,
      });
    });

    it('reads UnlockAndRelock: new lock in X-WOPI-Lock, expected one in X-WOPI-OldLock', () => {
      expect(parsed(files('LOCK', { [WopiHeader.Lock]: 'new', [WopiHeader.OldLock]: 'old' }))).toEqual({
        operation: WopiOperation.UnlockAndRelock,
        lock: 'new',
        oldLock: 'old',
        lockTtlMs: 1_800_000,
        lockUserVisible: false,
      });
    });

    it('treats an empty X-WOPI-OldLock as absent: a Lock', () => {
      expect(parsed(files('LOCK', { [WopiHeader.Lock]: 'L1', [WopiHeader.OldLock]: '' })).operation).toBe(
        WopiOperation.Lock,
      );
    });

    it('needs the new lock for UnlockAndRelock too', () => {
      expect(failure(files('LOCK', { [WopiHeader.OldLock]: 'old' }))).toMatchObject({
        operation: WopiOperation.UnlockAndRelock,
      });
    });

    it('reads the CSPP Plus lock extensions (X-WOPI-LockExpirationTimeout, X-WOPI-LockUserVisible)', () => {
      expect(
        parsed(
          files('REFRESH_LOCK', {
            [WopiHeader.Lock]: 'L1',
            [WopiHeader.LockExpirationTimeout]: '60',
            [WopiHeader.LockUserVisible]: 'True',
          }),
        ),
      ).toEqual({
        operation: WopiOperation.RefreshLock,
        lock: 'L1',
        lockTtlMs: 60_000,
        lockUserVisible: true,
      });
      expect(
        parsed(files('LOCK', { [WopiHeader.Lock]: 'L1', [WopiHeader.LockExpirationTimeout]: '3600' })),
      ).toMatchObject({ lockTtlMs: 3_600_000 });
    });

    it.each(['59', '3601', '0', 'abc', '-60'])(
      'refuses X-WOPI-LockExpirationTimeout %p with 400 (1 min to 1 h)',
      (timeout) => {
        expect(
          failure(files('LOCK', { [WopiHeader.Lock]: 'L1', [WopiHeader.LockExpirationTimeout]: timeout })).error.code,
        ).toBe(WopiErrorCode.BadRequest);
      },
    );

    it('refuses an X-WOPI-LockUserVisible that is not a boolean', () => {
      expect(failure(files('LOCK', { [WopiHeader.Lock]: 'L1', [WopiHeader.LockUserVisible]: 'yes' })).error.code).toBe(
        WopiErrorCode.BadRequest,
      );
    });

    it('reads Unlock and GetLock', () => {
      expect(
        parsed(files('UNLOCK', { [WopiHeader.Lock]: 'L1', [WopiHeader.LockExpirationTimeout]: 'ignored' })),
      ).toEqual({
        operation: WopiOperation.Unlock,
        lock: 'L1',
      });
      expect(parsed(files('GET_LOCK', { [WopiHeader.Lock]: 'ignored' }))).toEqual({ operation: WopiOperation.GetLock });
    });
  });

  describe('PutRelativeFile', () => {
    const putRelative = (headers: IncomingHttpHeaders): WopiRequestInput => files('PUT_RELATIVE', headers);

    it('decodes a suggested target from UTF-7, as the validator encodes it', () => {
      expect(
        parsed(putRelative({ [WopiHeader.SuggestedTarget]: 'madeup+AF8-name.wopitestx', [WopiHeader.Size]: '42' })),
      ).toEqual({
        operation: WopiOperation.PutRelativeFile,
        target: { mode: 'suggested', suggestedTarget: 'madeup_name.wopitestx' },
        sizeBytes: 42,
        isFileConversion: false,
      });
      expect(parsed(putRelative({ [WopiHeader.SuggestedTarget]: '.wopitestx' }))).toMatchObject({
        target: { mode: 'suggested', suggestedTarget: '.wopitestx' },
      });
    });

    it('ignores X-WOPI-OverwriteRelativeTarget in suggested mode (PutRelativeFile.rst), even a malformed one', () => {
      expect(
        parsed(
          putRelative({ [WopiHeader.SuggestedTarget]: 'a.docx', [WopiHeader.OverwriteRelativeTarget]: 'perhaps' }),
        ),
      ).toMatchObject({
        target: { mode: 'suggested', suggestedTarget: 'a.docx' },
      });
    });

    it.each([
      [undefined, false],
      ['True', true],
      ['false', false],
      ['FALSE', false],
    ])('reads a specific target with X-WOPI-OverwriteRelativeTarget %p', (overwrite, expected) => {
      const headers: IncomingHttpHeaders = { [WopiHeader.RelativeTarget]: encodeUtf7('Résumé 日本.docx') };
      if (overwrite !== undefined) headers[WopiHeader.OverwriteRelativeTarget] = overwrite;
      expect(parsed(putRelative(headers))).toMatchObject({
        target: { mode: 'specific', relativeTarget: 'Résumé 日本.docx', overwrite: expected },
      });
    });

    it('refuses a malformed X-WOPI-OverwriteRelativeTarget in specific mode', () => {
      expect(
        failure(putRelative({ [WopiHeader.RelativeTarget]: 'a.docx', [WopiHeader.OverwriteRelativeTarget]: '1' })).error
          .code,
      ).toBe(WopiErrorCode.BadRequest);
    });

    it('answers both targets with 400, keeping the operation so a host without PutRelativeFile can answer 501 first', () => {
      const result = failure(
        putRelative({
          [WopiHeader.SuggestedTarget]: 'madeupname.wopitestx',
          [WopiHeader.RelativeTarget]: 'madeupname.wopitestx',
        }),
      );
      expect(result.error.code).toBe(WopiErrorCode.BadRequest);
      expect(result.operation).toBe(WopiOperation.PutRelativeFile);
      expect(result.override).toBe('PUT_RELATIVE');
    });

    it('answers neither target (or empty ones) with 400', () => {
      expect(failure(putRelative({})).error.code).toBe(WopiErrorCode.BadRequest);
      expect(
        failure(putRelative({ [WopiHeader.SuggestedTarget]: '', [WopiHeader.RelativeTarget]: '' })).error.code,
      ).toBe(WopiErrorCode.BadRequest);
      expect(
        parsed(putRelative({ [WopiHeader.SuggestedTarget]: '', [WopiHeader.RelativeTarget]: 'x.docx' })),
      ).toMatchObject({
        target: { mode: 'specific', relativeTarget: 'x.docx' },
      });
    });

    it('answers a target that is not UTF-7 with 400: a bad request for a suggestion, an illegal name for a specific one', () => {
      expect(failure(putRelative({ [WopiHeader.SuggestedTarget]: 'a+.docx' })).error.code).toBe(
        WopiErrorCode.BadRequest,
      );
      expect(failure(putRelative({ [WopiHeader.RelativeTarget]: '+AOl-.docx' })).error.code).toBe(
        WopiErrorCode.InvalidFileName,
      );
    });

    it('reads raw UTF-8 (sent by clients that skip UTF-7) when the header has bytes above 0x7F', () => {
      const latin1OfUtf8 = Buffer.from('Résumé 日本.docx', 'utf8').toString('latin1');
      expect(parsed(putRelative({ [WopiHeader.SuggestedTarget]: latin1OfUtf8 }))).toMatchObject({
        target: { mode: 'suggested', suggestedTarget: 'Résumé 日本.docx' },
      });
      // Bytes that are not UTF-8 either (Latin-1 'é' alone) are refused.
      expect(failure(putRelative({ [WopiHeader.SuggestedTarget]: 'R\u00e9sum\u00e9.docx' })).error.code).toBe(
        WopiErrorCode.BadRequest,
      );
    });

    it.each([
      [undefined, false],
      ['', true],
      ['true', true],
      ['false', false],
    ])('reads X-WOPI-FileConversion %p by its presence (ONLYOFFICE: an explicit false)', (value, expected) => {
      const headers: IncomingHttpHeaders = { [WopiHeader.SuggestedTarget]: '.docx' };
      if (value !== undefined) headers[WopiHeader.FileConversion] = value;
      expect(parsed(putRelative(headers))).toMatchObject({ isFileConversion: expected });
    });

    it('refuses a malformed X-WOPI-Size', () => {
      expect(failure(putRelative({ [WopiHeader.SuggestedTarget]: '.docx', [WopiHeader.Size]: 'big' })).error.code).toBe(
        WopiErrorCode.BadRequest,
      );
    });
  });

  describe('RenameFile', () => {
    it("decodes X-WOPI-RequestedName and treats the validator's empty X-WOPI-Lock as no lock", () => {
      expect(
        parsed(files('RENAME_FILE', { [WopiHeader.RequestedName]: 'madeup+AF8-renamed', [WopiHeader.Lock]: '' })),
      ).toEqual({
        operation: WopiOperation.RenameFile,
        requestedName: 'madeup_renamed',
        lock: undefined,
      });
      expect(
        parsed(
          files('RENAME_FILE', {
            [WopiHeader.RequestedName]: 'ValidatorTestFileRenamed',
            [WopiHeader.Lock]: 'LockString',
          }),
        ),
      ).toEqual({
        operation: WopiOperation.RenameFile,
        requestedName: 'ValidatorTestFileRenamed',
        lock: 'LockString',
      });
    });

    it.each([
      ['missing', {}],
      ['empty', { [WopiHeader.RequestedName]: '' }],
      ['not UTF-7', { [WopiHeader.RequestedName]: 'bad+' }],
    ])('answers a %s requested name with 400 and X-WOPI-InvalidFileNameError (RenameFile.rst)', (_name, headers) => {
      const result = failure(files('RENAME_FILE', headers));
      expect(result.error.code).toBe(WopiErrorCode.InvalidFileName);
      expect(result.operation).toBe(WopiOperation.RenameFile);
    });
  });

  describe('GetShareUrl', () => {
    it('reads X-WOPI-UrlType', () => {
      expect(parsed(files('GET_SHARE_URL', { [WopiHeader.UrlType]: 'ReadWrite' }))).toEqual({
        operation: WopiOperation.GetShareUrl,
        urlType: 'ReadWrite',
      });
    });

    it('answers a missing X-WOPI-UrlType with 501, not 400 (GetShareUrl.rst)', () => {
      const result = failure(files('GET_SHARE_URL'));
      expect(result.error.code).toBe(WopiErrorCode.NotImplemented);
      expect(result.operation).toBe(WopiOperation.GetShareUrl);
    });
  });
});
