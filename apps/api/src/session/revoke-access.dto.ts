import { IsOptional, IsString, Length, Matches } from 'class-validator';
import { IsPlainText } from './plain-text.validator';

/**
 * A core app ends access it no longer grants: all of a user's sessions, their sessions on one
 * file (`fileRef`), or one session (`sessionId`). The next WOPI request of a revoked token is a 401.
 */
export class RevokeAccessDto {
  @IsString()
  @Length(1, 256)
  @Matches(/^[^\s]+$/, { message: 'userId must not contain white space' })
  @IsPlainText()
  userId: string;

  @IsOptional()
  @IsString()
  @Length(1, 512)
  @IsPlainText()
  fileRef?: string;

  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{1,64}$/, { message: 'sessionId is not a session id' })
  @IsPlainText()
  sessionId?: string;
}

export interface RevocationResponse {
  scope: 'user' | 'file' | 'session';
  userId: string;
  /** The gateway's id of `fileRef`; null when no session was ever opened on it (nothing to end). */
  fileId?: string | null;
  sessionId?: string;
  /** Tokens of this scope issued up to this instant are refused (ISO 8601). */
  revokedAt: string;
}
