import { FastifyPluginAsync } from 'fastify';
import { DocumentsService } from '../documents/documents.service';
import {
  RefParams,
  refParamsSchema,
  RenameBody,
  renameBodySchema,
  UserQuery,
  userQuerySchema,
} from './request-schemas';
import { withVersionHeaders } from './write-reply';

export interface FilesRoutesOptions {
  readonly documents: DocumentsService;
}

/** Listing, metadata, rename and delete; the bytes are in file-content.routes.ts. */
export const filesRoutes: FastifyPluginAsync<FilesRoutesOptions> = async (app, { documents }) => {
  const byRef = { params: refParamsSchema, querystring: userQuerySchema };

  // Optional in the contract: the gateway never lists; the demo launcher and tests do.
  app.get('/files', async () => ({ files: documents.listFiles() }));

  app.get<{ Params: RefParams; Querystring: UserQuery }>('/files/:ref', { schema: byRef }, async (request, reply) => {
    const metadata = documents.getMetadata(request.params.ref, request.query.userId);
    return withVersionHeaders(reply, metadata).send(metadata);
  });

  app.post<{ Params: RefParams; Querystring: UserQuery; Body: RenameBody }>(
    '/files/:ref/rename',
    { schema: { ...byRef, body: renameBodySchema } },
    async (request, reply) => {
      const metadata = await documents.rename(request.params.ref, request.query.userId, request.body.name);
      return withVersionHeaders(reply, metadata).send(metadata);
    },
  );

  app.delete<{ Params: RefParams; Querystring: UserQuery }>(
    '/files/:ref',
    { schema: byRef },
    async (request, reply) => {
      await documents.delete(request.params.ref, request.query.userId);
      return reply.code(204).send();
    },
  );
};
