import { FastifyReply, FastifyRequest } from 'fastify';
import { CoreHeader } from '../http/core-header';
import { FaultMode } from './fault-injector';

/** How a logged request ended. */
export enum RequestOutcome {
  /** Still running (or hanging). */
  Pending = 'pending',
  /** An answer was sent completely; see `status`. */
  Answered = 'answered',
  /** demo-core reset the connection (fault `reset`). */
  Reset = 'reset',
  /** The connection closed before an answer was complete: the client gave up, or a hang. */
  Abandoned = 'abandoned',
}

/** One contract request as GET /_control/requests reports it. */
export interface RequestLogEntry {
  /** 1, 2, 3, ... in arrival order; `since` in GET /_control/requests refers to it. */
  readonly seq: number;
  readonly receivedAt: string;
  readonly method: string;
  /** Without the query string. */
  readonly path: string;
  readonly userId: string | null;
  readonly idempotencyKey: string | null;
  readonly requestId: string;
  fault: FaultMode | null;
  status: number | null;
  outcome: RequestOutcome;
  /** True when the answer repeated an earlier result (Idempotent-Replayed): nothing was written. */
  replayed: boolean;
  durationMs: number | null;
}

export interface RequestLogPage {
  /** Requests received since start-up or the last clear, including any no longer listed. */
  readonly count: number;
  readonly requests: readonly RequestLogEntry[];
}

// Enough for any test run; older entries are dropped first (`count` still counts them).
const MAX_ENTRIES = 10_000;

/**
 * Every request to the contract API with how it ended, so tests can assert that a write
 * reached the core app exactly once however often the gateway retried (test switch).
 */
export class RequestLog {
  private entries: RequestLogEntry[] = [];
  private readonly byRequest = new WeakMap<FastifyRequest, RequestLogEntry>();
  private nextSeq = 1;
  private received = 0;

  /** onRequest: logs the request and finishes the entry when its response closes, whatever happened. */
  start(request: FastifyRequest, reply: FastifyReply): void {
    const startedAt = performance.now();
    const [path, query = ''] = (request.raw.url ?? request.url).split('?', 2);
    const userId = new URLSearchParams(query).get('userId');
    const key = request.headers[CoreHeader.IdempotencyKey];
    const entry: RequestLogEntry = {
      seq: this.nextSeq++,
      receivedAt: new Date().toISOString(),
      method: request.method,
      path,
      userId,
      idempotencyKey: typeof key === 'string' ? key : null,
      requestId: request.id,
      fault: null,
      status: null,
      outcome: RequestOutcome.Pending,
      replayed: false,
      durationMs: null,
    };
    this.received += 1;
    this.entries.push(entry);
    if (this.entries.length > MAX_ENTRIES) this.entries.shift();
    this.byRequest.set(request, entry);

    // 'close' fires once per response: after it was sent, or when the connection went away
    // without one (a hang the client gave up on, a reset, a client timeout).
    reply.raw.once('close', () => {
      entry.durationMs = Math.round(performance.now() - startedAt);
      if (reply.raw.writableFinished) {
        entry.outcome = RequestOutcome.Answered;
        entry.status = reply.raw.statusCode;
      } else {
        entry.outcome = entry.fault === FaultMode.Reset ? RequestOutcome.Reset : RequestOutcome.Abandoned;
      }
    });
  }

  /**
   * onSend: notes what only the reply's headers tell (Fastify hands them to writeHead, so the
   * raw response cannot be asked afterwards).
   */
  noteAnswer(request: FastifyRequest, reply: FastifyReply): void {
    const entry = this.byRequest.get(request);
    if (entry !== undefined) entry.replayed = reply.getHeader(CoreHeader.IdempotentReplayed) === 'true';
  }

  noteFault(request: FastifyRequest, mode: FaultMode): void {
    const entry = this.byRequest.get(request);
    if (entry !== undefined) entry.fault = mode;
  }

  /** Entries with `seq` greater than `sinceSeq`, oldest first. */
  list(sinceSeq = 0): RequestLogPage {
    return { count: this.received, requests: this.entries.filter((entry) => entry.seq > sinceSeq) };
  }

  clear(): void {
    this.entries = [];
    this.received = 0;
  }
}
