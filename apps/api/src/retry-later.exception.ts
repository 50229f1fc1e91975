import { ServiceUnavailableException } from '@nestjs/common';

/** 503 with a Retry-After header (set by UnexpectedErrorFilter): a dependency is down for now. */
export class RetryLaterException extends ServiceUnavailableException {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}
