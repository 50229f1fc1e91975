import { type Attributes, context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';

/** W3C trace context headers (traceparent, tracestate) as stored with a job or an outbox row. */
export type TraceCarrier = Record<string, string>;

const tracer = () => trace.getTracer('wopi-gateway');

/**
 * The trace context of the work in progress, to store with work that continues elsewhere (a job,
 * an outbox row). Undefined when tracing is off or nothing is being traced.
 */
export function currentTraceCarrier(): TraceCarrier | undefined {
  const carrier: TraceCarrier = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent ? carrier : undefined;
}

/**
 * Runs `work` in a new span that continues the trace the carrier names (a job's producer), so
 * the job's own spans (Redis, database, core-app HTTP calls) land in the request's trace. Without
 * a carrier the span starts a trace of its own. With tracing off this is just `work()`.
 */
export async function inConsumerSpan<T>(
  name: string,
  carrier: TraceCarrier | undefined,
  attributes: Attributes,
  work: () => Promise<T>,
): Promise<T> {
  const parent = carrier ? propagation.extract(context.active(), carrier) : context.active();
  return tracer().startActiveSpan(name, { kind: SpanKind.CONSUMER, attributes }, parent, async (span) => {
    try {
      return await work();
    } catch (error) {
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.name : 'error' });
      throw error;
    } finally {
      span.end();
    }
  });
}
