import type { ProofKeyPairStore } from '../proof-keys/proof-key-pair-store';

/** The WOPI operations the demo editor makes, named as the spec names them. */
export type WopiOperation =
  'CheckFileInfo' | 'GetFile' | 'Lock' | 'RefreshLock' | 'Unlock' | 'UnlockAndRelock' | 'GetLock' | 'PutFile';

/** One WOPI call as the protocol inspector shows it. Never the access token or a proof. */
export interface WopiCallRecord {
  seq: number;
  operation: WopiOperation;
  method: 'GET' | 'POST';
  /** Path and query of the call, the access token replaced by "…". */
  path: string;
  /** The WOPI request headers that matter to a reader (X-WOPI-Override, -Lock, -OldLock, -Editors, -TimeStamp). */
  requestHeaders: Record<string, string>;
  /** True when X-WOPI-Proof and X-WOPI-ProofOld were sent. */
  signed: boolean;
  requestBytes?: number;
  startedAt: string;
  durationMs: number;
  /** HTTP status, or 0 when no answer came (network error, timeout). */
  status: number;
  /** X-WOPI-* response headers (Lock, LockFailureReason, ItemVersion, ServerError, ...). */
  responseHeaders: Record<string, string>;
  responseBytes?: number;
  /** What went wrong without an answer, or what an error answer said. */
  error?: string;
}

export interface WopiTarget {
  wopiSrc: string;
  accessToken: string;
  accessTokenTtl: string;
}

export interface WopiAnswer {
  status: number;
  headers: Headers;
  body: Buffer;
  record: WopiCallRecord;
}

const OPERATIONS: Record<WopiOperation, { method: 'GET' | 'POST'; contents: boolean; override?: string }> = {
  CheckFileInfo: { method: 'GET', contents: false },
  GetFile: { method: 'GET', contents: true },
  Lock: { method: 'POST', contents: false, override: 'LOCK' },
  RefreshLock: { method: 'POST', contents: false, override: 'REFRESH_LOCK' },
  Unlock: { method: 'POST', contents: false, override: 'UNLOCK' },
  // UnlockAndRelock is a LOCK with X-WOPI-OldLock (files.rst).
  UnlockAndRelock: { method: 'POST', contents: false, override: 'LOCK' },
  GetLock: { method: 'POST', contents: false, override: 'GET_LOCK' },
  PutFile: { method: 'POST', contents: true, override: 'PUT' },
};

/**
 * Makes WOPI calls to a host the way Office for the web does: the access token and its TTL in the
 * query string, X-WOPI-Proof/ProofOld/TimeStamp signed over the token and the exact URL called
 * (proofkeys.rst), and records every call for the protocol inspector.
 */
export class WopiClient {
  constructor(
    private readonly keys: ProofKeyPairStore,
    private readonly timeoutMs: number,
  ) {}

  async call(
    target: WopiTarget,
    operation: WopiOperation,
    options: { headers?: Record<string, string>; body?: Buffer; seq: number },
  ): Promise<WopiAnswer> {
    const spec = OPERATIONS[operation];
    const query = `?access_token=${encodeURIComponent(target.accessToken)}&access_token_ttl=${encodeURIComponent(target.accessTokenTtl)}`;
    const url = `${target.wopiSrc}${spec.contents ? '/contents' : ''}${query}`;
    const headers: Record<string, string> = {
      ...(spec.override ? { 'X-WOPI-Override': spec.override } : {}),
      ...options.headers,
    };
    const proof = this.keys.sign({ accessToken: target.accessToken, url });
    const record: WopiCallRecord = {
      seq: options.seq,
      operation,
      method: spec.method,
      path: new URL(url).pathname + query.replace(/access_token=[^&]*/, 'access_token=…'),
      requestHeaders: { ...headers, 'X-WOPI-TimeStamp': proof['X-WOPI-TimeStamp'] },
      signed: true,
      ...(options.body ? { requestBytes: options.body.length } : {}),
      startedAt: new Date().toISOString(),
      durationMs: 0,
      status: 0,
      responseHeaders: {},
    };
    const started = performance.now();
    try {
      const response = await fetch(url, {
        method: spec.method,
        headers: {
          ...headers,
          ...proof,
          ...(options.body ? { 'Content-Type': 'application/octet-stream' } : {}),
        },
        ...(options.body ? { body: options.body } : spec.method === 'POST' ? { body: '' } : {}),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      const body = Buffer.from(await response.arrayBuffer());
      record.status = response.status;
      record.durationMs = Math.round(performance.now() - started);
      record.responseBytes = body.length;
      response.headers.forEach((value, name) => {
        if (name.toLowerCase().startsWith('x-wopi-')) record.responseHeaders[canonical(name)] = value;
      });
      if (!response.ok && body.length > 0) record.error = body.toString('utf8').slice(0, 300);
      return { status: response.status, headers: response.headers, body, record };
    } catch (error) {
      record.durationMs = Math.round(performance.now() - started);
      record.error =
        (error as Error).name === 'TimeoutError' ? `no answer within ${this.timeoutMs} ms` : (error as Error).message;
      return { status: 0, headers: new Headers(), body: Buffer.alloc(0), record };
    }
  }
}

/** X-WOPI-ItemVersion rather than x-wopi-itemversion: as the spec writes them. */
function canonical(name: string): string {
  const known = [
    'X-WOPI-Lock',
    'X-WOPI-LockFailureReason',
    'X-WOPI-ItemVersion',
    'X-WOPI-ServerError',
    'X-WOPI-ServerVersion',
    'X-WOPI-CorrelationID',
    'X-WOPI-InvalidFileNameError',
  ];
  return known.find((candidate) => candidate.toLowerCase() === name.toLowerCase()) ?? name;
}
