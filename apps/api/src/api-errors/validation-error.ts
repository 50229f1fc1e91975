import type { ValidationError } from 'class-validator';
import { ApiError } from './api-error';

/**
 * The ValidationPipe's exceptionFactory: the first invalid field of a DTO as a coded 400 naming
 * it by its dotted path (`coreApp.baseUrl`, `scopes.1`). One field at a time keeps the body
 * shape the same for every error; callers fix and resend.
 */
export function validationFailure(errors: ValidationError[]): ApiError {
  const first = firstFailure(errors, '');
  if (!first) return ApiError.malformedRequest('The request body is invalid');
  return ApiError.validationFailed(first.field, first.message);
}

function firstFailure(errors: ValidationError[], prefix: string): { field: string; message: string } | undefined {
  for (const error of errors) {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    const messages = Object.values(error.constraints ?? {});
    if (messages.length > 0) return { field, message: messages[0] };
    const nested = firstFailure(error.children ?? [], field);
    if (nested) return nested;
  }
  return undefined;
}
