import { DemoCoreError, DemoCoreErrorCode, InvalidNameReason } from '../demo-core.error';
import { toErrorResponse } from './error-response';

const EXAMPLES: Record<DemoCoreErrorCode, [DemoCoreError, number]> = {
  [DemoCoreErrorCode.Unauthorized]: [DemoCoreError.unauthorized('bad_signature'), 401],
  [DemoCoreErrorCode.Forbidden]: [DemoCoreError.forbidden('no'), 403],
  [DemoCoreErrorCode.NotFound]: [DemoCoreError.fileNotFound('doc-x'), 404],
  [DemoCoreErrorCode.BadRequest]: [DemoCoreError.badRequest('bad'), 400],
  [DemoCoreErrorCode.InvalidName]: [DemoCoreError.invalidName(InvalidNameReason.Empty, 'empty'), 400],
  [DemoCoreErrorCode.DigestMismatch]: [DemoCoreError.digestMismatch(), 400],
  [DemoCoreErrorCode.NameConflict]: [DemoCoreError.nameConflict('a.docx', 'doc-a', 'a (1).docx'), 409],
  [DemoCoreErrorCode.VersionMismatch]: [DemoCoreError.versionMismatch('7'), 412],
  [DemoCoreErrorCode.PayloadTooLarge]: [DemoCoreError.payloadTooLarge(10), 413],
  [DemoCoreErrorCode.IdempotencyKeyReused]: [DemoCoreError.idempotencyKeyReused(), 422],
  [DemoCoreErrorCode.InjectedFault]: [DemoCoreError.injectedFault(503), 503],
  [DemoCoreErrorCode.InternalError]: [DemoCoreError.internal(), 500],
};

describe('toErrorResponse', () => {
  it.each(Object.values(DemoCoreErrorCode))('maps %s to its status and the shared body shape', (code) => {
    const [error, status] = EXAMPLES[code];
    const response = toErrorResponse(error);
    expect(response.status).toBe(status);
    expect(response.body.error).toEqual(expect.objectContaining({ code, message: expect.any(String) }));
  });

  it('puts the current version in details and in the headers of a version mismatch', () => {
    const response = toErrorResponse(DemoCoreError.versionMismatch('7'));
    expect(response.body.error.details).toEqual({ currentVersion: '7' });
    expect(response.headers).toEqual({ etag: '"7"', 'x-core-version': '7' });
  });

  it('answers a version mismatch on a missing file without version headers', () => {
    const response = toErrorResponse(DemoCoreError.versionMismatch(undefined));
    expect(response.status).toBe(412);
    expect(response.body.error.details).toBeUndefined();
    expect(response.headers).toEqual({});
  });

  it('names the existing file and a free name in a name conflict', () => {
    const response = toErrorResponse(DemoCoreError.nameConflict('a.docx', 'doc-a', 'a (1).docx'));
    expect(response.body.error.details).toEqual({ existingRef: 'doc-a', suggestedName: 'a (1).docx' });
  });

  it('names the signature scheme and the reason on 401', () => {
    const response = toErrorResponse(DemoCoreError.unauthorized('replayed'));
    expect(response.headers['www-authenticate']).toMatch(/^GatewaySignature /);
    expect(response.body.error.details).toEqual({ reason: 'replayed' });
  });

  it('leaves details out when there are none', () => {
    expect(Object.keys(toErrorResponse(DemoCoreError.forbidden('no')).body.error)).toEqual(['code', 'message']);
  });
});
