import type { NestFastifyApplication } from '@nestjs/platform-fastify';

/** Routes whose handlers read the raw request body themselves (WOPI: file contents, PutUserInfo). */
const RAW_BODY_ROUTE_PREFIX = '/wopi/';

/**
 * One content-type parser for the whole api, in place of Fastify's and Nest's:
 * - WOPI routes get the body unread, whatever the Content-Type: a WOPI client may label a file
 *   body text/plain, application/json, a form or anything else, and those bytes are the file. A
 *   framework parser reading such a body first left the handler an empty stream and stored an
 *   empty file (docs/adr/0016).
 * - Every other route is a JSON API: `application/json` is parsed (within the route's body limit,
 *   with Fastify's prototype-poisoning checks); any other type is a 415 (docs/api-errors.md).
 * Requests without a Content-Type reach no parser at all, so their body stays unread too.
 */
export function installRequestBodyParsers(app: NestFastifyApplication): void {
  // Nest's adapter brings its own Fastify; its instance type is the one that matches at run time.
  const fastify = app.getHttpAdapter().getInstance();
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', (request, payload, done) => {
    if (readsRawBody(request)) return done(null, payload);
    if (!isJsonMediaType(request.headers['content-type'])) {
      return done(httpError(415, 'FST_ERR_CTP_INVALID_MEDIA_TYPE', 'Content-Type must be application/json'));
    }
    readText(payload, request.routeOptions.bodyLimit).then(
      (text) => parseJson(request, text, done),
      (error: Error) => done(error),
    );
  });
}

function readsRawBody(request: { routeOptions: { url?: string } }): boolean {
  return request.routeOptions.url?.startsWith(RAW_BODY_ROUTE_PREFIX) ?? false;
}

function isJsonMediaType(contentType: string | undefined): boolean {
  return contentType?.split(';', 1)[0].trim().toLowerCase() === 'application/json';
}

async function readText(payload: AsyncIterable<Buffer>, limitBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of payload) {
    size += chunk.length;
    if (size > limitBytes) throw httpError(413, 'FST_ERR_CTP_BODY_TOO_LARGE', 'Request body is too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function httpError(statusCode: number, code: string, message: string): Error {
  return Object.assign(new Error(message), { statusCode, code });
}
