import { FastifyReply } from 'fastify';
import { FileMetadata, WriteResult } from '../documents/documents.service';
import { CoreHeader } from './core-header';
import { formatEntityTag } from './entity-tag';

/** Version headers on every answer that carries file metadata. */
export function withVersionHeaders(reply: FastifyReply, metadata: FileMetadata): FastifyReply {
  return reply.header(CoreHeader.ETag, formatEntityTag(metadata.version)).header(CoreHeader.Version, metadata.version);
}

/** Answers a content write or sibling creation: its status, version headers and metadata. */
export function sendWriteResult(reply: FastifyReply, result: WriteResult): FastifyReply {
  if (result.replayed) void reply.header(CoreHeader.IdempotentReplayed, 'true');
  return withVersionHeaders(reply.code(result.status), result.metadata).send(result.metadata);
}
