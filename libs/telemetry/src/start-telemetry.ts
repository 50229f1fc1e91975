import { FastifyOtelInstrumentation } from '@fastify/otel';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { NestInstrumentation } from '@opentelemetry/instrumentation-nestjs-core';
import { PinoInstrumentation } from '@opentelemetry/instrumentation-pino';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { PrismaInstrumentation } from '@prisma/instrumentation';

export interface TelemetryOptions {
  serviceName: string;
  serviceVersion?: string;
  /** OTLP/HTTP base URL (e.g. http://collector:4318); nothing is exported when unset. */
  otlpEndpoint?: string;
}

export interface Telemetry {
  /** Flushes pending spans and metrics; call last during shutdown. */
  shutdown(): Promise<void>;
}

/**
 * Starts the OpenTelemetry SDK. Call it before Nest, Fastify, ioredis, pino or Prisma are loaded:
 * the instrumentations patch those modules when they are first required.
 *
 * Instrumentations run even when nothing is exported, so every log line still carries the trace
 * and span IDs of the request it belongs to (pino instrumentation) for correlation in the logs.
 */
export function startTelemetry(options: TelemetryOptions): Telemetry {
  const exporting = options.otlpEndpoint !== undefined;
  const base = options.otlpEndpoint?.replace(/\/+$/, '');
  const sdk = new NodeSDK({
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: options.serviceName,
      ...(options.serviceVersion ? { [ATTR_SERVICE_VERSION]: options.serviceVersion } : {}),
    }),
    // Empty lists, never undefined: for each signal left undefined the SDK falls back to an OTLP
    // exporter aimed at localhost:4318, which then fails in the background and holds up shutdown.
    spanProcessors: exporting ? undefined : [],
    traceExporter: exporting ? new OTLPTraceExporter({ url: `${base}/v1/traces` }) : undefined,
    metricReaders: exporting
      ? [new PeriodicExportingMetricReader({ exporter: new OTLPMetricExporter({ url: `${base}/v1/metrics` }) })]
      : [],
    // Logs are JSON lines on stdout, carrying trace IDs; the platform ships them (ADR 0007).
    logRecordProcessors: [],
    instrumentations: [
      new HttpInstrumentation({
        // Health probes every few seconds would drown the traces that matter.
        ignoreIncomingRequestHook: (req) => req.url === '/healthz' || req.url === '/readyz',
      }),
      new FastifyOtelInstrumentation({ registerOnInitialization: true }),
      new NestInstrumentation(),
      new IORedisInstrumentation(),
      new PinoInstrumentation({
        logKeys: { traceId: 'traceId', spanId: 'spanId', traceFlags: 'traceFlags' },
        disableLogSending: true,
      }),
      new PrismaInstrumentation(),
    ],
  });
  sdk.start();
  return { shutdown: () => sdk.shutdown() };
}
