/** Header names demo-core reads or writes, lowercase as Node delivers them. */
export const CoreHeader = {
  CacheControl: 'cache-control',
  Connection: 'connection',
  ContentLength: 'content-length',
  ContentSecurityPolicy: 'content-security-policy',
  ContentType: 'content-type',
  ETag: 'etag',
  IfMatch: 'if-match',
  IdempotencyKey: 'idempotency-key',
  /** Set on a response that repeats an earlier result instead of writing again. */
  IdempotentReplayed: 'idempotent-replayed',
  ReferrerPolicy: 'referrer-policy',
  RequestId: 'x-request-id',
  /** W3C trace context of the gateway's call; logged so one trace spans both services. */
  TraceParent: 'traceparent',
  Version: 'x-core-version',
  WwwAuthenticate: 'www-authenticate',
  XContentTypeOptions: 'x-content-type-options',
} as const;
