import { IsOptional, IsString, Length, Matches } from 'class-validator';

export class FileLookupQueryDto {
  /** The core app's reference to the document. */
  @IsString()
  @Length(1, 512)
  coreRef: string;
}

export class ReleaseLockQueryDto {
  /** The lock id the operator inspected: only that lock is released (409 when it changed). */
  @IsOptional()
  @IsString()
  @Length(1, 1024)
  expectedLockId?: string;
}

export class FailedWriteBacksQueryDto {
  @IsOptional()
  @Matches(/^(100|[1-9][0-9]?)$/, { message: 'limit must be an integer from 1 to 100' })
  limit?: string;

  @IsOptional()
  @Matches(/^\d{1,6}$/, { message: 'offset must be a non-negative integer' })
  offset?: string;
}

export class DiscardWriteBackDto {
  /** Why the save is given up (kept on the version and in the audit trail). */
  @IsString()
  @Length(3, 1000, { message: 'A reason (at least 3 characters) is required' })
  reason: string;
}
