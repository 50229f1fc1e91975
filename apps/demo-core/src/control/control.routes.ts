import { FastifyPluginAsync } from 'fastify';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { DemoCoreError } from '../demo-core.error';
import { DocumentsService, SignedBody } from '../documents/documents.service';
import { FilePermissions } from '../users/file-permissions';
import { RefParams, refParamsSchema } from '../http/request-schemas';
import { declaredBytes } from '../http/request-headers';
import { acceptRawStreams, acceptVerifiedJson, signedBodySha256 } from '../http/signed-body';
import { withVersionHeaders } from '../http/write-reply';
import { FaultInjector, FaultMode, FaultSpec } from './fault-injector';
import { RequestLog } from './request-log';

export interface ControlRoutesOptions {
  readonly documents: DocumentsService;
  readonly faults: FaultInjector;
  readonly requestLog: RequestLog;
}

const faultSpecSchema = {
  type: 'object',
  required: ['mode'],
  additionalProperties: false,
  properties: {
    mode: { type: 'string', enum: Object.values(FaultMode) },
    // 10 minutes: longer than any timeout worth testing.
    delayMs: { type: 'integer', minimum: 0, maximum: 600_000 },
    status: { type: 'integer', minimum: 400, maximum: 599 },
    lengthDelta: { type: 'integer', not: { const: 0 } },
    truncateAfterBytes: { type: 'integer', minimum: 0 },
    paths: { type: 'string', minLength: 1, maxLength: 500 },
    methods: {
      type: 'array',
      minItems: 1,
      items: { type: 'string', enum: ['GET', 'HEAD', 'PUT', 'POST', 'DELETE'] },
    },
    remaining: { type: 'integer', minimum: 1 },
  },
} as const;

const withdrawnPermissionsSchema = {
  type: 'object',
  required: ['permissions'],
  additionalProperties: false,
  properties: {
    permissions: {
      type: 'array',
      uniqueItems: true,
      items: { type: 'string', enum: ['read', 'write', 'rename', 'delete', 'createSibling', 'share'] },
    },
  },
} as const;

const sinceQuerySchema = {
  type: 'object',
  properties: { since: { type: 'integer', minimum: 0, default: 0 } },
} as const;

/**
 * Test switches, registered only with DEMO_CORE_FAULTS=enabled, and signed like the contract
 * API so that only the holder of the gateway's secret can use them.
 */
export const controlRoutes: FastifyPluginAsync<ControlRoutesOptions> = async (app, options) => {
  const { documents, faults, requestLog } = options;

  await app.register(async (json) => {
    acceptVerifiedJson(json);

    json.get('/fault', async () => faults.current());

    json.put<{ Body: FaultSpec }>('/fault', { schema: { body: faultSpecSchema } }, async (request) => {
      try {
        const fault = faults.set(request.body);
        request.log.warn({ fault }, 'fault injection changed');
        return fault;
      } catch (error) {
        if (error instanceof SyntaxError) throw DemoCoreError.badRequest(`paths: ${error.message}`);
        throw error;
      }
    });

    json.put<{ Params: { userId: string }; Body: { permissions: (keyof FilePermissions)[] } }>(
      '/users/:userId/withdrawn-permissions',
      { schema: { body: withdrawnPermissionsSchema } },
      async (request) => {
        documents.withdrawPermissions(request.params.userId, request.body.permissions);
        request.log.warn({ userId: request.params.userId, withdrawn: request.body.permissions }, 'permissions changed');
        return { userId: request.params.userId, withdrawn: request.body.permissions };
      },
    );
    json.get<{ Querystring: { since: number } }>(
      '/requests',
      { schema: { querystring: sinceQuerySchema } },
      async (request) => requestLog.list(request.query.since),
    );

    json.delete('/requests', async (_request, reply) => {
      requestLog.clear();
      return reply.code(204).send();
    });
  });

  await app.register(async (raw) => {
    acceptRawStreams(raw);

    // A change made in the core app's own UI, behind the gateway's back: the next write-back
    // with the old version as If-Match must get a 412.
    raw.post<{ Params: RefParams }>(
      '/files/:ref/external-edit',
      { schema: { params: refParamsSchema } },
      async (request, reply) => {
        const upload: SignedBody =
          request.body instanceof Readable
            ? { body: request.body, bodySha256: signedBodySha256(request), declaredBytes: declaredBytes(request) }
            : generatedEdit(request.params.ref);
        const metadata = await documents.externalEdit(request.params.ref, upload);
        return withVersionHeaders(reply, metadata).send(metadata);
      },
    );
  });
};

/** Content for an external edit sent without a body: a short note, different every time. */
function generatedEdit(ref: string): SignedBody {
  const bytes = Buffer.from(`external edit of ${ref} at ${new Date().toISOString()}\n`);
  return { body: Readable.from([bytes]), bodySha256: createHash('sha256').update(bytes).digest('hex') };
}
