import type { MetricReader } from '@opentelemetry/sdk-metrics';
import type { NodeSDKConfiguration } from '@opentelemetry/sdk-node';
import type { SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { type PrometheusEndpoint, startPrometheusEndpoint } from './prometheus-endpoint';
import { SecretRedactingSpanProcessor } from './secret-redaction';
import { configuredSampler, SpanBudgetSampler } from './span-budget';
import { type OtlpProtocol, type TelemetrySettings, telemetrySettingsFromEnv } from './telemetry-settings';

export interface TelemetryOptions {
  /** service.name unless OTEL_SERVICE_NAME or OTEL_RESOURCE_ATTRIBUTES names another. */
  serviceName: string;
  serviceVersion?: string;
  /** The Prometheus scrape endpoint (METRICS_PORT, METRICS_HOST); off when the port is unset. */
  prometheus?: { host: string; port?: number };
  /** Defaults to process.env: the standard OTEL_* variables configure everything else. */
  env?: NodeJS.ProcessEnv;
}

export interface Telemetry {
  readonly settings: TelemetrySettings;
  /** Flushes pending spans and metrics; call last during shutdown. */
  shutdown(): Promise<void>;
}

/**
 * Starts OpenTelemetry as the OTEL_* variables say. Call it before Nest, Fastify, ioredis, pino or
 * Prisma are loaded: the instrumentations patch those modules when they are first required.
 *
 * Nothing configured, nothing loaded: no SDK, no instrumentation, no span processor, no meter
 * provider; the OpenTelemetry API then hands out no-op tracers and meters, so the gateway's own
 * spans and metric recordings cost a function call. The SDK packages are required lazily for the
 * same reason (they take a noticeable share of start-up time).
 */
export function startTelemetry(options: TelemetryOptions): Telemetry {
  const env = options.env ?? process.env;
  const settings = telemetrySettingsFromEnv(env, options.prometheus);
  if (!settings.traces && !settings.otlpMetrics && !settings.prometheus)
    return { settings, shutdown: () => Promise.resolve() };

  /* eslint-disable @typescript-eslint/no-require-imports -- loaded only when telemetry is on */
  const { NodeSDK } = require('@opentelemetry/sdk-node') as typeof import('@opentelemetry/sdk-node');
  const { resourceFromAttributes } = require('@opentelemetry/resources') as typeof import('@opentelemetry/resources');
  const { BatchSpanProcessor } =
    require('@opentelemetry/sdk-trace-base') as typeof import('@opentelemetry/sdk-trace-base');
  const { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } =
    require('@opentelemetry/semantic-conventions') as typeof import('@opentelemetry/semantic-conventions');
  /* eslint-enable @typescript-eslint/no-require-imports */

  const spanProcessors: SpanProcessor[] = settings.traces
    ? [
        // First: every later processor and exporter sees the span with its secrets removed.
        new SecretRedactingSpanProcessor(),
        // OTEL_BSP_* (delay, queue and batch sizes, timeout) apply: this processor reads them.
        new BatchSpanProcessor(traceExporter(settings.traces.protocol)),
      ]
    : [];
  const metrics = metricReaders(settings);
  const sdk = new NodeSDK({
    // The defaults; OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES (env detector) take precedence.
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: options.serviceName,
      ...(options.serviceVersion ? { [ATTR_SERVICE_VERSION]: options.serviceVersion } : {}),
    }),
    // Empty lists, never undefined: for a signal left undefined the SDK sets up an OTLP exporter
    // aimed at localhost:4318, which then fails in the background and holds up shutdown.
    spanProcessors,
    sampler: settings.traces ? new SpanBudgetSampler(configuredSampler(settings.traces)) : undefined,
    metricReaders: metrics.readers,
    // Logs are JSON lines on stdout, carrying trace IDs; the platform ships them (ADR 0007).
    logRecordProcessors: [],
    instrumentations: settings.traces ? tracingInstrumentations() : [],
  });
  sdk.start();
  return {
    settings,
    shutdown: async () => {
      await sdk.shutdown();
      await metrics.prometheus?.close();
    },
  };
}

/* eslint-disable @typescript-eslint/no-require-imports -- each exporter is loaded only when chosen */
function traceExporter(protocol: OtlpProtocol): SpanExporter {
  // No URL given: each exporter reads OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT, _HEADERS, _TIMEOUT,
  // _COMPRESSION and the certificate variables itself, as the specification describes.
  switch (protocol) {
    case 'http/json':
      return new (
        require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http')
      ).OTLPTraceExporter();
    case 'http/protobuf':
      return new (
        require('@opentelemetry/exporter-trace-otlp-proto') as typeof import('@opentelemetry/exporter-trace-otlp-proto')
      ).OTLPTraceExporter();
    case 'grpc':
      return new (
        require('@opentelemetry/exporter-trace-otlp-grpc') as typeof import('@opentelemetry/exporter-trace-otlp-grpc')
      ).OTLPTraceExporter();
  }
}

function metricReaders(settings: TelemetrySettings): { readers: MetricReader[]; prometheus?: PrometheusEndpoint } {
  let prometheus: PrometheusEndpoint | undefined;
  const { PeriodicExportingMetricReader } =
    require('@opentelemetry/sdk-metrics') as typeof import('@opentelemetry/sdk-metrics');
  const readers: MetricReader[] = [];
  if (settings.otlpMetrics) {
    const exporter =
      settings.otlpMetrics.protocol === 'http/json'
        ? new (
            require('@opentelemetry/exporter-metrics-otlp-http') as typeof import('@opentelemetry/exporter-metrics-otlp-http')
          ).OTLPMetricExporter()
        : settings.otlpMetrics.protocol === 'http/protobuf'
          ? new (
              require('@opentelemetry/exporter-metrics-otlp-proto') as typeof import('@opentelemetry/exporter-metrics-otlp-proto')
            ).OTLPMetricExporter()
          : new (
              require('@opentelemetry/exporter-metrics-otlp-grpc') as typeof import('@opentelemetry/exporter-metrics-otlp-grpc')
            ).OTLPMetricExporter();
    const exportIntervalMillis = settings.otlpMetrics.exportIntervalMs;
    readers.push(
      new PeriodicExportingMetricReader({
        exporter,
        exportIntervalMillis,
        exportTimeoutMillis: Math.min(30_000, exportIntervalMillis),
      }),
    );
  }
  if (settings.prometheus) {
    prometheus = startPrometheusEndpoint(settings.prometheus.host, settings.prometheus.port);
    readers.push(prometheus.reader);
  }
  return { readers, prometheus };
}

/**
 * The span budget's other half (the sampler is the first): only the instrumentations whose spans
 * explain a request. One server span per request (HTTP; the route is named by the api's own hook,
 * not by per-hook Fastify or per-handler Nest spans), one client span per core-app call, one span
 * per Redis command inside a request or job, Prisma writes and transactions without their
 * internal serialize/compile/query children, and trace ids on log lines.
 */
function tracingInstrumentations(): NonNullable<NodeSDKConfiguration['instrumentations']> {
  const { HttpInstrumentation } =
    require('@opentelemetry/instrumentation-http') as typeof import('@opentelemetry/instrumentation-http');
  const { IORedisInstrumentation } =
    require('@opentelemetry/instrumentation-ioredis') as typeof import('@opentelemetry/instrumentation-ioredis');
  const { PinoInstrumentation } =
    require('@opentelemetry/instrumentation-pino') as typeof import('@opentelemetry/instrumentation-pino');
  const { PrismaInstrumentation } = require('@prisma/instrumentation') as typeof import('@prisma/instrumentation');
  return [
    new HttpInstrumentation({
      // Health probes every few seconds and Prometheus scrapes would drown the traces that matter.
      ignoreIncomingRequestHook: (req) => /^\/(?:healthz|readyz|metrics)(?:[?/]|$)/.test(req.url ?? ''),
      // Background calls (discovery refreshes, OTLP export itself) start no trace of their own.
      requireParentforOutgoingSpans: true,
    }),
    // BullMQ polls Redis all the time; only commands inside a request or a job are traced.
    new IORedisInstrumentation({ requireParentSpan: true }),
    new PinoInstrumentation({
      logKeys: { traceId: 'traceId', spanId: 'spanId', traceFlags: 'traceFlags' },
      disableLogSending: true,
    }),
    new PrismaInstrumentation({
      ignoreSpanTypes: [
        'prisma:client:serialize',
        'prisma:client:compile',
        'prisma:client:db_query',
        'prisma:client:connect',
        'prisma:client:start_transaction',
        'prisma:client:commit_transaction',
        /^prisma:engine/,
      ],
    }),
  ];
}
/* eslint-enable @typescript-eslint/no-require-imports */
