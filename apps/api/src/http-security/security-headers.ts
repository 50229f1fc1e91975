import type { ApiHttpServer } from './api-http-server';

// The host page sets its own, stricter-for-its-purpose headers (frame-ancestors per tenant), and
// WOPI answers go to WOPI clients, not browsers: these are for the JSON APIs.
const API_PREFIXES = ['/api/', '/admin/'];

/** Headers every JSON API answer carries: nothing to sniff, frame, leak in a Referer or keep in a cache. */
export const API_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
  'cross-origin-resource-policy': 'same-origin',
  // Session answers carry tokens and launch links, admin answers carry keys: no cache may keep any.
  'cache-control': 'no-store',
};

/** Sets API_SECURITY_HEADERS on the session, conversion and admin APIs, errors and 404s included. */
export function addApiSecurityHeaders(fastify: ApiHttpServer, publicBaseUrl: string): void {
  const https = new URL(publicBaseUrl).protocol === 'https:';
  fastify.addHook('onRequest', async (request, reply) => {
    if (!API_PREFIXES.some((prefix) => request.url.startsWith(prefix))) return;
    reply.headers(API_SECURITY_HEADERS);
    // One year: browsers then never try this host over plain HTTP again.
    if (https) reply.header('strict-transport-security', 'max-age=31536000');
  });
}
