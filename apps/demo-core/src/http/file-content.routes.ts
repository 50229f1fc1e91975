import { FastifyPluginAsync, FastifyReply } from 'fastify';
import { DocumentsService } from '../documents/documents.service';
import { CoreHeader } from './core-header';
import { RefParams, refParamsSchema, UserQuery, userQuerySchema } from './request-schemas';
import { acceptRawStreams } from './signed-body';
import { sendWriteResult, uploadOf, withVersionHeaders } from './write-reply';

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
      return withContentHeaders(reply, content).send(content.stream);
    },
  );

  app.head<{ Params: RefParams; Querystring: UserQuery }>('/files/:ref/content', { schema }, async (request, reply) => {
    return withContentHeaders(reply, documents.getMetadata(request.params.ref, request.query.userId)).send();
  });

  app.put<{ Params: RefParams; Querystring: UserQuery }>('/files/:ref/content', { schema }, async (request, reply) => {
    const result = await documents.putContent(request.params.ref, {
      userId: request.query.userId,
      ...uploadOf(request),
    });
    return sendWriteResult(reply, result);
  });
};

/** Headers of GET and HEAD on content: the same for the bytes and for their description. */
function withContentHeaders(reply: FastifyReply, content: { size: number; version: string }): FastifyReply {
  return withVersionHeaders(reply, content)
    .header(CoreHeader.ContentType, 'application/octet-stream')
    .header(CoreHeader.ContentLength, content.size)
    .header(CoreHeader.CacheControl, 'no-store');
}
