import { FastifyPluginAsync } from 'fastify';
import { DocumentsService, OnConflict } from '../documents/documents.service';
import {
  CreateSiblingQuery,
  createSiblingQuerySchema,
  RefParams,
  refParamsSchema,
  SiblingQuery,
  siblingQuerySchema,
} from './request-schemas';
import { acceptRawStreams } from './signed-body';
import { sendWriteResult, uploadOf, withVersionHeaders } from './write-reply';

export interface SiblingsRoutesOptions {
  readonly documents: DocumentsService;
}

const ON_CONFLICT: Record<CreateSiblingQuery['onConflict'], OnConflict> = {
  fail: OnConflict.Fail,
  overwrite: OnConflict.Overwrite,
  rename: OnConflict.Rename,
};

/** Files beside a document, in the same folder: looked up by name, or created from a streamed body. */
export const siblingsRoutes: FastifyPluginAsync<SiblingsRoutesOptions> = async (app, { documents }) => {
  acceptRawStreams(app);

  app.get<{ Params: RefParams; Querystring: SiblingQuery }>(
    '/files/:ref/siblings',
    { schema: { params: refParamsSchema, querystring: siblingQuerySchema } },
    async (request, reply) => {
      const metadata = documents.getSibling(request.params.ref, request.query.userId, request.query.name);
      return withVersionHeaders(reply, metadata).send(metadata);
    },
  );

  app.post<{ Params: RefParams; Querystring: CreateSiblingQuery }>(
    '/files/:ref/siblings',
    { schema: { params: refParamsSchema, querystring: createSiblingQuerySchema } },
    async (request, reply) => {
      const result = await documents.createSibling(request.params.ref, {
        userId: request.query.userId,
        name: request.query.name,
        onConflict: ON_CONFLICT[request.query.onConflict],
        ...uploadOf(request),
      });
      return sendWriteResult(reply, result);
    },
  );
};
