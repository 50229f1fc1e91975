import type { Attributes, Context, Link, SpanKind } from '@opentelemetry/api';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  ParentBasedSampler,
  type Sampler,
  SamplingDecision,
  type SamplingResult,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace-base';
import type { TelemetrySettings } from './telemetry-settings';

/** The sampler OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG name. */
export function configuredSampler(traces: NonNullable<TelemetrySettings['traces']>): Sampler {
  const ratio = new TraceIdRatioBasedSampler(traces.samplerRatio);
  switch (traces.sampler) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return ratio;
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: ratio });
  }
}

/** Prisma reads: cheap, repeated on every request, and cached away on the hot path (issue 10). */
const PRISMA_READ_METHODS = /^(find|count|aggregate|groupBy|\$queryRaw)/;

/**
 * Spans that cost more than they tell are not recorded at all: Prisma's reads (a CheckFileInfo
 * would otherwise carry one span per statement, each with children). Prisma's writes and
 * transactions stay: a slow save is worth seeing. Everything else is the configured sampler's call.
 * A dropped span's children are dropped with it (they see an unsampled parent).
 */
export class SpanBudgetSampler implements Sampler {
  constructor(private readonly configured: Sampler) {}

  shouldSample(
    context: Context,
    traceId: string,
    spanName: string,
    spanKind: SpanKind,
    attributes: Attributes,
    links: Link[],
  ): SamplingResult {
    if (spanName === 'prisma:client:operation' && PRISMA_READ_METHODS.test(String(attributes.method ?? '')))
      return { decision: SamplingDecision.NOT_RECORD };
    return this.configured.shouldSample(context, traceId, spanName, spanKind, attributes, links);
  }

  toString(): string {
    return `SpanBudgetSampler{${this.configured.toString()}}`;
  }
}
