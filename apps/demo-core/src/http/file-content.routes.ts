import { FastifyPluginAsync } from 'fastify';
import { DocumentsService } from '../documents/documents.service';
import { CoreHeader } from './core-header';
import { formatEntityTag } from './entity-tag';
import { RefParams, refParamsSchema, UserQuery, userQuerySchema } from './request-schemas';
import { declaredBytes, optionalIfMatch, requireIdempotencyKey } from './request-headers';
import { acceptRawStreams, rawBody, signedBodySha256 } from './signed-body';
import { sendWriteResult } from './write-reply';

export interface FileContentRoutesOptions {
  readonly documents: DocumentsService;
}

/** Document bytes: streamed out with fs streams, streamed in to a temp file, never buffered whole. */
export const fileContentRoutes: FastifyPluginAsync<FileContentRoutesOptions> = async (app, { documents }) => {
  // Content is bytes of any type; this plugin's encapsulation keeps raw streams to these routes.
  acceptRawStreams(app);

  const schema = { params: refParamsSchema, querystring: userQuerySchema };

  // HEAD has its own handler: Fastify's automatic one would open and drain the whole file.
  app.get<{ Params: RefParams; Querystring: UserQuery }>(
    '/files/:ref/content',
    { schema, exposeHeadRoute: false },
    async (request, reply) => {
      const content = await documents.openContent(request.params.ref, request.query.userId);
      return reply
        .header(CoreHeader.ContentType, 'application/octet-stream')
        .header(CoreHeader.ContentLength, content.size)
        .header(CoreHeader.ETag, formatEntityTag(content.version))
        .header(CoreHeader.Version, content.version)
        .header(CoreHeader.CacheControl, 'no-store')
        .send(content.stream);
    },
  );

  app.head<{ Params: RefParams; Querystring: UserQuery }>('/files/:ref/content', { schema }, async (request, reply) => {
    const metadata = documents.getMetadata(request.params.ref, request.query.userId);
    return reply
      .header(CoreHeader.ContentType, 'application/octet-stream')
      .header(CoreHeader.ContentLength, metadata.size)
      .header(CoreHeader.ETag, formatEntityTag(metadata.version))
      .header(CoreHeader.Version, metadata.version)
      .header(CoreHeader.CacheControl, 'no-store')
      .send();
  });

  app.put<{ Params: RefParams; Querystring: UserQuery }>('/files/:ref/content', { schema }, async (request, reply) => {
    const result = await documents.putContent(request.params.ref, {
      userId: request.query.userId,
      body: rawBody(request),
      bodySha256: signedBodySha256(request),
      declaredBytes: declaredBytes(request),
      ifMatch: optionalIfMatch(request),
      idempotencyKey: requireIdempotencyKey(request),
    });
    return sendWriteResult(reply, result);
  });
};
