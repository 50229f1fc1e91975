import { FastifyReply, FastifyRequest } from 'fastify';
import { ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { createGzip } from 'node:zlib';
import { DemoCoreError } from '../demo-core.error';
import { ANSWER_FAULTS, AppliedFault, FaultInjector, FaultMode } from './fault-injector';
import { RequestLog } from './request-log';

/**
 * Applies the fault set through /_control to a contract request (test switch). Runs after the
 * signature check, so only the gateway's own calls count against `remaining`. Nothing it does
 * outlives the connection: a delay ends early when the client goes away, and a hung request is
 * released when its client closes or the server shuts down (`releaseAll`).
 */
export class FaultInjectionHook {
  private readonly hanging = new Set<ServerResponse>();
  /** Requests whose answer a fault changes on its way out. */
  private readonly answerFaults = new WeakMap<FastifyRequest, AppliedFault>();

  constructor(
    private readonly faults: FaultInjector,
    private readonly log: RequestLog,
  ) {}

  readonly onRequest = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const fault = this.faults.take(request.method, (request.raw.url ?? request.url).split('?', 1)[0]);
    if (fault === undefined) return;
    this.log.noteFault(request, fault.mode);
    request.log.info({ fault }, 'injecting a fault');
    if (fault.delayMs > 0 && !(await this.delay(reply, fault.delayMs))) {
      // The client left during the delay: nobody is waiting for the rest of this request.
      reply.hijack();
      return;
    }
    if (ANSWER_FAULTS.has(fault.mode)) this.answerFaults.set(request, fault);
    else this.apply(fault, request, reply);
  };

  /**
   * onSend: applies a fault that changes the answer rather than replacing it (gzip, wrong-length,
   * truncate), to successful answers only, so the body is the real one, mangled on the wire.
   */
  readonly onSend = async (request: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown> => {
    const fault = this.answerFaults.get(request);
    if (fault === undefined || reply.statusCode >= 300 || payload === null || payload === undefined) return payload;
    const body = payload instanceof Readable ? payload : Readable.from([Buffer.from(payload as string | Buffer)]);
    const size = Number(reply.getHeader('content-length') ?? Buffer.byteLength(payload as string | Buffer));
    switch (fault.mode) {
      case FaultMode.Gzip:
        void reply.removeHeader('content-length').header('content-encoding', 'gzip');
        return body.pipe(createGzip());
      case FaultMode.WrongLength:
        void reply.header('content-length', size + (fault.lengthDelta ?? 1)).header('connection', 'close');
        return body;
      case FaultMode.Truncate:
        void reply.header('content-length', size);
        return Readable.from(cutOff(body, fault.truncateAfterBytes ?? Math.floor(size / 2)));
      default:
        return payload;
    }
  };

  /** Closes every hung connection, so the server can shut down. */
  releaseAll(): void {
    for (const response of this.hanging) response.destroy();
    this.hanging.clear();
  }

  private apply(fault: AppliedFault, request: FastifyRequest, reply: FastifyReply): void {
    switch (fault.mode) {
      case FaultMode.Slow:
        return;
      case FaultMode.Error:
        throw DemoCoreError.injectedFault(fault.status);
      case FaultMode.Hang: {
        // Taking the reply over stops Fastify's lifecycle here: no handler, no answer.
        reply.hijack();
        const response = reply.raw;
        this.hanging.add(response);
        response.once('close', () => this.hanging.delete(response));
        return;
      }
      case FaultMode.Gzip:
      case FaultMode.WrongLength:
      case FaultMode.Truncate:
        return;
      case FaultMode.Reset:
        reply.hijack();
        // RST rather than FIN: what a crashed process or a dropped load-balancer connection looks like.
        request.raw.socket.resetAndDestroy();
        return;
      default:
        return assertNever(fault.mode);
    }
  }

  /** Waits `ms`; false (early) when the connection closes first. */
  private delay(reply: FastifyReply, ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const onClose = () => {
        clearTimeout(timer);
        resolve(false);
      };
      const timer = setTimeout(() => {
        reply.raw.off('close', onClose);
        resolve(true);
      }, ms);
      reply.raw.once('close', onClose);
    });
  }
}

function assertNever(value: never): never {
  throw new Error(`unhandled fault mode ${String(value)}`);
}

/** The first `limit` bytes of `body`, then an error: the server destroys the connection mid-body. */
async function* cutOff(body: Readable, limit: number): AsyncGenerator<Buffer> {
  let sent = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    const part = chunk.subarray(0, Math.max(0, limit - sent));
    if (part.length > 0) yield part;
    sent += part.length;
    if (sent >= limit) break;
  }
  body.destroy();
  throw new Error(`answer cut off after ${sent} bytes (fault injection)`);
}
