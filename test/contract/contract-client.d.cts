// Types of contract-client.cjs for TypeScript callers (the Jest suite). Keep in step with the .cjs.
import type { Readable, Writable } from 'node:stream';

export interface SignableRequest {
  method: string;
  pathWithQuery: string;
  timestampMs: number;
  contentSha256: string;
}

export const EMPTY_SHA256: string;
export function canonicalString(request: SignableRequest): string;
/** Now in ms, strictly increasing per process, so no two requests share a signature. */
export function nextTimestampMs(): number;
export function signatureHeaders(secret: string, request: SignableRequest): Record<string, string>;
export function sha256Hex(bytes: Buffer): string;
export function toQuery(query: Record<string, string | undefined> | undefined): string;

export interface StreamBody {
  size?: number;
  open(): Readable;
  sha256(): Promise<string>;
}
export function pseudoRandomBody(seed: string, size: number, chunkBytes?: number): Required<StreamBody>;

export type RequestBody = Buffer | { json: unknown } | StreamBody;

export interface SendOptions {
  query?: Record<string, string | undefined>;
  body?: RequestBody;
  headers?: Record<string, string>;
  hash?: boolean;
  into?: Writable;
  sign?: boolean;
  secret?: string;
  timestampMs?: number;
  signedSha256?: string;
  signedPathWithQuery?: string;
  signatureHeaders?: Record<string, string>;
  timeoutMs?: number;
}

export interface ContractResponse {
  status: number;
  headers: Headers;
  /** The body, unless `hash` or `into` was used. */
  bytes?: Buffer;
  /** The parsed body of a JSON answer. */
  json?: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** With `hash` or `into`: the body's length and hex SHA-256. */
  length?: number;
  sha256?: string;
}

export class ContractClient {
  constructor(options: { baseUrl: string; secret: string; timeoutMs?: number });
  readonly origin: string;
  readonly basePath: string;
  readonly secret: string;
  send(method: string, path: string, options?: SendOptions): Promise<ContractResponse>;
  /** Path and query as fetch sends them (and as they are signed). */
  requestTarget(path: string, query?: Record<string, string | undefined>): string;
  signedHeadersFor(
    method: string,
    path: string,
    query?: Record<string, string | undefined>,
    body?: RequestBody,
  ): Promise<Record<string, string>>;
}
