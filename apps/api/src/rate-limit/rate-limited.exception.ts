import { HttpException, HttpStatus } from '@nestjs/common';

/** 429 with a Retry-After header (set by UnexpectedErrorFilter): the caller's request budget is spent. */
export class RateLimitedException extends HttpException {
  constructor(
    scope: 'api key' | 'tenant',
    readonly retryAfterSeconds: number,
  ) {
    super(
      {
        statusCode: HttpStatus.TOO_MANY_REQUESTS,
        error: 'Too Many Requests',
        message: `Request limit of this ${scope} reached; retry in ${retryAfterSeconds} s`,
      },
      HttpStatus.TOO_MANY_REQUESTS,
    );
  }
}
