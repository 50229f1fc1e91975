import { FastifyReply, FastifyRequest } from 'fastify';
import { ContentWrite, FileMetadata, WriteResult } from '../documents/documents.service';
import { CoreHeader } from './core-header';
import { formatEntityTag } from './entity-tag';
import { declaredBytes, optionalIfMatch, requireIdempotencyKey } from './request-headers';
import { rawBody, signedBodySha256 } from './signed-body';

/** What a content write and a sibling creation both take from the request: body, digest, preconditions. */
export function uploadOf(request: FastifyRequest): Omit<ContentWrite, 'userId'> {
  return {
    body: rawBody(request),
    bodySha256: signedBodySha256(request),
    declaredBytes: declaredBytes(request),
    ifMatch: optionalIfMatch(request),
    idempotencyKey: requireIdempotencyKey(request),
  };
}

/** Version headers on every answer that carries file metadata (or content). */
export function withVersionHeaders(reply: FastifyReply, metadata: Pick<FileMetadata, 'version'>): FastifyReply {
  return reply.header(CoreHeader.ETag, formatEntityTag(metadata.version)).header(CoreHeader.Version, metadata.version);
}

/** Answers a content write or sibling creation: its status, version headers and metadata. */
export function sendWriteResult(reply: FastifyReply, result: WriteResult): FastifyReply {
  if (result.replayed) void reply.header(CoreHeader.IdempotentReplayed, 'true');
  return withVersionHeaders(reply.code(result.status), result.metadata).send(result.metadata);
}
