import { IsIn, IsOptional, IsString, IsUrl, Length, Matches } from 'class-validator';
import { SESSION_ACTIONS, type SessionAction } from './session-action';
import { IsPlainText } from './plain-text.validator';

/** A language tag as discovery.rst takes it for UI_LLCC/DC_LLCC (RFC 1766 / BCP 47: "de-DE", "pt-BR", "fr"). */
const LOCALE = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}$/;

export class CreateSessionDto {
  /** The core app's reference to the document. */
  @IsString()
  @Length(1, 512)
  @IsPlainText()
  fileRef: string;

  /** The core app's id of the user who opens it. */
  @IsString()
  @Length(1, 256)
  @Matches(/^[^\s]+$/, { message: 'userId must not contain white space' })
  @IsPlainText()
  userId: string;

  /** Default: edit when the user may write, view otherwise. */
  @IsOptional()
  @IsIn(SESSION_ACTIONS)
  action?: SessionAction;

  /** The user's language (UI_LLCC and DC_LLCC of the action URL); absent: the browser's. */
  @IsOptional()
  @IsString()
  @Matches(LOCALE, { message: 'locale must be a language tag such as "en-US"' })
  @IsPlainText()
  locale?: string;

  /** Where the host page sends the user when the editor closes. */
  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true })
  @Length(1, 2048)
  @IsPlainText()
  returnUrl?: string;

  /**
   * The name of the tenant's WOPI-client profile to open the file with (e.g. "wopi-validator").
   * Absent: the first profile, default first, whose discovery offers the action for the file type.
   */
  @IsOptional()
  @IsString()
  @Length(1, 200)
  client?: string;
}

export interface SessionResponse {
  /** Names the session across renewals: renew or revoke it with this. */
  sessionId: string;
  fileId: string;
  wopiSrc: string;
  accessToken: string;
  /** WOPI access_token_ttl: the token's expiry in milliseconds since the epoch. */
  accessTokenTtl: number;
  action: SessionAction;
  /**
   * The WOPI client's action URL for this file and action (discovery), to which a host page POSTs
   * access_token and access_token_ttl; null when the tenant has no client, the client has no such
   * action for this file type, or its discovery cannot be had right now.
   */
  actionUrl: string | null;
  /** The name of the WOPI-client profile the session uses; null when the tenant has none. */
  client: string | null;
  /** One-time link to the gateway's host page; expires after LAUNCH_TICKET_TTL_SECONDS. */
  hostPageUrl: string;
}
