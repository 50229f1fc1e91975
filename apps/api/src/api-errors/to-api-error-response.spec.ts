import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ValidationPipe } from '@nestjs/common';
import { IsString, IsUrl, ValidateNested } from 'class-validator';
import { Type } from 'class-transformer';
import { CoreAppError, CoreAppErrorKind } from '@wopi/core-app-client';
import { ApiError, ApiErrorCode } from './api-error';
import { toApiError } from './api-error.filter';
import { toApiErrorResponse } from './to-api-error-response';
import { validationFailure } from './validation-error';

// One error per code; a Record over the enum, so adding a code without a sample does not compile.
const SAMPLES: Record<ApiErrorCode, ApiError> = {
  [ApiErrorCode.ValidationFailed]: ApiError.validationFailed('coreApp.baseUrl', 'coreApp.baseUrl must be a URL'),
  [ApiErrorCode.MalformedRequest]: ApiError.malformedRequest('Unexpected token } in JSON'),
  [ApiErrorCode.Unauthenticated]: ApiError.unauthenticated('An API key is required'),
  [ApiErrorCode.ScopeMissing]: ApiError.scopeMissing('write'),
  [ApiErrorCode.PermissionDenied]: ApiError.permissionDenied('the user may not edit'),
  [ApiErrorCode.NotFound]: ApiError.notFound('No such tenant'),
  [ApiErrorCode.Conflict]: ApiError.conflict('The lock changed', { currentLock: 'L1' }),
  [ApiErrorCode.SessionEnded]: ApiError.sessionEnded('revoked'),
  [ApiErrorCode.PayloadTooLarge]: ApiError.payloadTooLarge('too large'),
  [ApiErrorCode.UnsupportedMediaType]: ApiError.unsupportedMediaType('text/xml'),
  [ApiErrorCode.UnsupportedConversion]: ApiError.unsupportedConversion('.xlsx converts only to pdf'),
  [ApiErrorCode.RateLimited]: ApiError.rateLimited(2.2),
  [ApiErrorCode.CoreAppBadResponse]: ApiError.coreAppBadResponse(),
  [ApiErrorCode.CoreAppUnavailable]: ApiError.coreAppUnavailable(7),
  [ApiErrorCode.ServiceUnavailable]: ApiError.serviceUnavailable('The lock store is unavailable'),
  [ApiErrorCode.Internal]: ApiError.internal('req-42'),
};

interface DocumentedRow {
  status: number;
  headers: string[];
}

/** The table of docs/api-errors.md: | `CODE` | status | headers | when |. */
function documentedTable(): Map<string, DocumentedRow> {
  const doc = readFileSync(path.join(__dirname, '../../../../docs/api-errors.md'), 'utf8');
  const rows = new Map<string, DocumentedRow>();
  for (const match of doc.matchAll(/^\|\s*`([A-Z_]+)`\s*\|\s*(\d{3})\s*\|([^|]*)\|/gm)) {
    const headers = [...match[3].matchAll(/`([A-Za-z-]+)`/g)].map((header) => header[1].toLowerCase());
    rows.set(match[1], { status: Number(match[2]), headers });
  }
  return rows;
}

describe('toApiErrorResponse', () => {
  const table = documentedTable();

  it.each(Object.values(ApiErrorCode))('maps %s as docs/api-errors.md documents it', (code) => {
    const error = SAMPLES[code];
    expect(error.code).toBe(code);
    const row = table.get(code);
    expect(row).toBeDefined();
    const response = toApiErrorResponse(error);
    expect(response.status).toBe(row!.status);
    expect(Object.keys(response.headers).sort()).toEqual([...row!.headers].sort());
    expect(response.body.error.code).toBe(code);
    expect(response.body.error.message).toBe(error.message);
  });

  it('documents no code that does not exist', () => {
    expect([...table.keys()].sort()).toEqual(Object.values(ApiErrorCode).sort());
  });

  it('names the field of a validation failure and the scope of a missing one', () => {
    expect(toApiErrorResponse(SAMPLES[ApiErrorCode.ValidationFailed]).body.error.field).toBe('coreApp.baseUrl');
    expect(toApiErrorResponse(SAMPLES[ApiErrorCode.ScopeMissing]).body.error.scope).toBe('write');
    expect(toApiErrorResponse(SAMPLES[ApiErrorCode.Internal]).body.error.correlationId).toBe('req-42');
    expect(toApiErrorResponse(SAMPLES[ApiErrorCode.Conflict]).body.error.details).toEqual({ currentLock: 'L1' });
  });

  it('sends Retry-After in whole seconds, at least 1', () => {
    expect(toApiErrorResponse(ApiError.rateLimited(2.2)).headers['retry-after']).toBe('3');
    expect(toApiErrorResponse(ApiError.coreAppUnavailable(0)).headers['retry-after']).toBe('1');
    expect(toApiErrorResponse(ApiError.coreAppUnavailable(Number.NaN)).headers['retry-after']).toBe('1');
  });
});

describe('toApiError', () => {
  it('keeps an ApiError as it is', () => {
    const error = ApiError.notFound('x');
    expect(toApiError(error, 'r1')).toBe(error);
  });

  it.each([
    [CoreAppErrorKind.NotFound, ApiErrorCode.NotFound],
    [CoreAppErrorKind.Forbidden, ApiErrorCode.PermissionDenied],
    [CoreAppErrorKind.Unavailable, ApiErrorCode.CoreAppUnavailable],
    [CoreAppErrorKind.CircuitOpen, ApiErrorCode.CoreAppUnavailable],
    [CoreAppErrorKind.BadResponse, ApiErrorCode.CoreAppBadResponse],
    [CoreAppErrorKind.Rejected, ApiErrorCode.CoreAppBadResponse],
  ])('maps a core-app %s answer to %s', (kind, code) => {
    expect(toApiError(new CoreAppError(kind, 'x', { retryAfterSeconds: 4 }), 'r1').code).toBe(code);
  });

  it('turns anything unknown into INTERNAL with the correlation id, never a guessed 4xx', () => {
    const mapped = toApiError(new TypeError('undefined is not a function'), 'req-7');
    expect(mapped.detail).toEqual({ code: ApiErrorCode.Internal, correlationId: 'req-7' });
  });
});

class CoreAppDto {
  @IsUrl({ require_tld: false })
  baseUrl: string;
}
class TenantDto {
  @IsString()
  slug: string;
  @ValidateNested()
  @Type(() => CoreAppDto)
  coreApp: CoreAppDto;
}

describe('validationFailure', () => {
  const pipe = new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, exceptionFactory: validationFailure });
  const validate = (value: unknown) => pipe.transform(value, { type: 'body', metatype: TenantDto });

  it('names a nested field by its dotted path', async () => {
    await expect(validate({ slug: 'a', coreApp: { baseUrl: 'not a url' } })).rejects.toMatchObject({
      detail: { code: ApiErrorCode.ValidationFailed, field: 'coreApp.baseUrl' },
    });
  });

  it('names a field that must not be there', async () => {
    await expect(validate({ slug: 'a', coreApp: { baseUrl: 'http://x' }, extra: 1 })).rejects.toMatchObject({
      detail: { code: ApiErrorCode.ValidationFailed, field: 'extra' },
    });
  });
});
