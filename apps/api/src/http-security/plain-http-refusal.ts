import { ApiError } from '../api-errors/api-error';
import { toApiErrorResponse } from '../api-errors/to-api-error-response';
import type { ApiHttpServer } from './api-http-server';

// Orchestrators probe the pod directly, over plain HTTP, with no credentials.
const PROBES = new Set(['/healthz', '/readyz']);

/**
 * When the public URL is https, a request that reached the gateway over plain HTTP is refused
 * before any handler sees it: it may carry an access token, a launch ticket or an API key that has
 * just crossed the network in clear, and answering it would teach the client that this works.
 *
 * "Over plain HTTP" is what Fastify reports as the request's protocol: the socket's own (TLS or
 * not) or, with TRUST_PROXY, the X-Forwarded-Proto the proxy in front sets after terminating TLS.
 * A gateway behind a TLS-terminating proxy without TRUST_PROXY therefore refuses everything: it
 * fails closed, loudly, rather than trusting a header any client can send.
 */
export function refusePlainHttpWhenPublicUrlIsHttps(fastify: ApiHttpServer, publicBaseUrl: string): void {
  if (new URL(publicBaseUrl).protocol !== 'https:') return;
  fastify.addHook('onRequest', async (request, reply) => {
    if (request.protocol === 'https' || PROBES.has(request.url.split('?')[0])) return;
    reply.header('cache-control', 'no-store');
    // WOPI clients understand 401 as "this token will not do" (WOPI: invalid token); other
    // callers get a reason they can act on.
    if (request.url.startsWith('/wopi/')) return reply.code(401).send();
    const { status, headers, body } = toApiErrorResponse(
      ApiError.permissionDenied(`This gateway only accepts HTTPS: use ${publicBaseUrl}`),
    );
    return reply.code(status).headers(headers).send(body);
  });
}
