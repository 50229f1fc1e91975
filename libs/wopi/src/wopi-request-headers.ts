import { WopiError } from './wopi-error';
import { type WopiHeaderName } from './wopi-header';

/**
 * Request headers keyed by lowercase name, as Node's IncomingHttpHeaders and Fastify's
 * request.headers hold them. Values are byte strings (Node decodes header bytes as Latin-1).
 */
export type WopiRequestHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

/**
 * One header's value, or undefined when absent. A header sent twice (an array of several values) is
 * a malformed request: which of two X-WOPI-Lock values would we compare?
 */
export function readSingleHeader(headers: WopiRequestHeaders, name: WopiHeaderName): string | undefined {
  const value = headers[name];
  if (value === undefined || typeof value === 'string') return value;
  if (value.length > 1) throw WopiError.badRequest(`${name} was sent more than once`);
  return value[0];
}
