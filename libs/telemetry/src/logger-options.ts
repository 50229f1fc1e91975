import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { LoggerOptions } from 'pino';

/**
 * Paths pino removes from every log line. Access tokens travel as a query parameter and as a
 * bearer header (WOPI), launch tickets in the host-page URL, API keys in a header: none is ever logged.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'req.headers["x-wopi-proof"]',
  'req.headers["x-wopi-proofold"]',
  'res.headers["set-cookie"]',
  'accessToken',
  'access_token',
  '*.accessToken',
  '*.access_token',
  'apiKey',
  '*.apiKey',
];

/** Shared pino options: JSON lines, secrets redacted, one field name per concept across apps. */
export function baseLoggerOptions(level: string, serviceName: string): LoggerOptions {
  return {
    level,
    base: { service: serviceName },
    timestamp: () => `,"time":"${new Date().toISOString()}"`,
    redact: { paths: REDACTED_PATHS, censor: '[Redacted]' },
    formatters: { level: (label) => ({ level: label }) },
  };
}

/** The request ID: the caller's X-Request-ID when it sent a sane one, a new UUID otherwise. */
export function requestIdFor(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && /^[\w.:-]{1,128}$/.test(given) ? given : randomUUID();
}
