import { IsOptional, IsString, Length, Matches } from 'class-validator';
import { IsPlainText } from './plain-text.validator';

/** Names the session to renew: by its id, or by one of its (unexpired) tokens; exactly one of the two. */
export class RenewSessionDto {
  /** The session to renew, as the session API answered it; or give `accessToken` instead. */
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{1,64}$/, { message: 'sessionId is not a session id' })
  @IsPlainText()
  sessionId?: string;

  /** A token of the session (it may be close to expiry, not past it); or give `sessionId` instead. */
  @IsOptional()
  @IsString()
  @Length(1, 4096)
  @IsPlainText()
  accessToken?: string;
}
