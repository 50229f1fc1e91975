import {
  BadGatewayException,
  BadRequestException,
  ForbiddenException,
  GoneException,
  NotFoundException,
} from '@nestjs/common';
import { CoreAppError, CoreAppErrorKind } from '@wopi/core-app-client';
import { RetryLaterException } from '../retry-later.exception';
import {
  InvalidSessionReferenceError,
  SessionDeniedError,
  SessionEndedError,
  SessionNotFoundError,
  UnknownWopiClientError,
} from './session.error';

/** The session API's answer to a domain error; anything else is rethrown as it is (a 500 with a correlation id). */
export function toSessionHttpError(error: unknown): unknown {
  if (error instanceof SessionDeniedError) return new ForbiddenException(error.message);
  if (error instanceof SessionEndedError) return new GoneException(error.message);
  if (error instanceof InvalidSessionReferenceError) return new BadRequestException(error.message);
  if (error instanceof SessionNotFoundError) return new NotFoundException(error.message);
  if (error instanceof UnknownWopiClientError) return new BadRequestException(error.message);
  if (!(error instanceof CoreAppError)) return error;
  switch (error.kind) {
    case CoreAppErrorKind.NotFound:
      return new NotFoundException('The core app has no such file');
    case CoreAppErrorKind.Forbidden:
      return new ForbiddenException('The core app denies this user access to the file');
    case CoreAppErrorKind.Unavailable:
    case CoreAppErrorKind.CircuitOpen:
      return new RetryLaterException('The core app is not answering', error.retryAfterSeconds ?? 1);
    case CoreAppErrorKind.NameConflict:
    case CoreAppErrorKind.VersionMismatch:
    case CoreAppErrorKind.Rejected:
    case CoreAppErrorKind.TooLarge:
    case CoreAppErrorKind.BadResponse:
      // A metadata read cannot meet these answers from a core app that keeps the contract.
      return new BadGatewayException('The core app answered outside its contract');
  }
}
