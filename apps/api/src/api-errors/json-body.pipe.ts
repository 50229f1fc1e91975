import { Readable } from 'node:stream';
import { type ArgumentMetadata, Injectable, type PipeTransform } from '@nestjs/common';
import { ApiError } from './api-error';

/**
 * The JSON APIs read JSON objects only. The body parser (request-body-parsers.ts) already answers
 * 415 for other media types; this pipe is the last guard for a body that still arrives unread (a
 * 415) or as JSON that is not an object (a 400), before validation would report a stream's or a
 * string's own properties as unknown fields.
 */
@Injectable()
export class JsonBodyPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type !== 'body') return value;
    // No body at all reads as an empty object: optional fields take their defaults, required ones
    // are reported by name, and no handler meets `undefined`.
    if (value === undefined || value === null) return {};
    if (value instanceof Readable) value.resume(); // drain it: nothing will read it
    if (value instanceof Readable || Buffer.isBuffer(value))
      throw ApiError.unsupportedMediaType('This request takes a JSON body (Content-Type: application/json)');
    // JSON, but a string, number or list where the route takes an object.
    if (typeof value !== 'object' || Array.isArray(value))
      throw ApiError.malformedRequest('The body must be a JSON object');
    return value;
  }
}
