import { WopiError } from './wopi-error';

/** 1024: the largest UserInfo string, "a maximum size of 1024 ASCII characters", taken as bytes (PutUserInfo.rst). */
export const USER_INFO_MAX_BYTES = 1024;

/**
 * The UserInfo string of a PutUserInfo request body, to be stored per user and returned as
 * CheckFileInfo UserInfo. WopiError.badRequest() for a body over 1024 bytes or not valid UTF-8.
 */
export function parseUserInfo(body: Buffer | string): string {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  if (bytes.length > USER_INFO_MAX_BYTES) {
    throw WopiError.badRequest(`UserInfo is longer than ${USER_INFO_MAX_BYTES} bytes`);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw WopiError.badRequest('UserInfo is not valid UTF-8');
  }
}
