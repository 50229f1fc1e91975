import { Readable } from 'node:stream';
import { type ArgumentMetadata, Injectable, type PipeTransform } from '@nestjs/common';
import { ApiError } from './api-error';

/**
 * The JSON APIs read JSON only. Bodies of other types reach controllers as text (Fastify's
 * text/plain parser) or unread (create-app.ts hands them over as streams for PutFile); a DTO given
 * one answers 415, before validation would report a stream's own properties as unknown fields.
 */
@Injectable()
export class JsonBodyPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type !== 'body') return value;
    // No body at all reads as an empty object: optional fields take their defaults, required ones
    // are reported by name, and no handler meets `undefined`.
    if (value === undefined || value === null) return {};
    if (value instanceof Readable) value.resume(); // drain it: nothing will read it
    if (value instanceof Readable || typeof value === 'string' || Buffer.isBuffer(value))
      throw ApiError.unsupportedMediaType('This request takes a JSON body (Content-Type: application/json)');
    return value;
  }
}
