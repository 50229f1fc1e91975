import { createServer, type Server } from 'node:http';
import type { MetricReader, ResourceMetrics } from '@opentelemetry/sdk-metrics';

/** Units whose Prometheus series carry the unit as a suffix (OTel → Prometheus compatibility spec). */
const UNIT_SUFFIXES: Record<string, string> = { s: 'seconds', By: 'bytes' };

/**
 * The OTel metric name as a Prometheus series base: dots to underscores and the unit appended
 * (`wopi.request.duration` in s → `wopi_request_duration_seconds`), as an OpenTelemetry Collector
 * exporting to Prometheus names it, so dashboards work the same whichever path the metrics take.
 * Counters get `_total` from the serializer.
 */
export function prometheusName(name: string, unit: string): string {
  const base = name.replace(/[^A-Za-z0-9_:]/g, '_');
  const suffix = UNIT_SUFFIXES[unit];
  return suffix && !base.endsWith(`_${suffix}`) ? `${base}_${suffix}` : base;
}

function withPrometheusNames(resourceMetrics: ResourceMetrics): ResourceMetrics {
  return {
    ...resourceMetrics,
    scopeMetrics: resourceMetrics.scopeMetrics.map((scope) => ({
      ...scope,
      metrics: scope.metrics.map((metric) => ({
        ...metric,
        descriptor: { ...metric.descriptor, name: prometheusName(metric.descriptor.name, metric.descriptor.unit) },
      })),
    })) as ResourceMetrics['scopeMetrics'],
  };
}

export interface PrometheusEndpoint {
  reader: MetricReader;
  close(): Promise<void>;
}

/**
 * GET /metrics on a listener of its own (never the api's public port), bound to `host`
 * (loopback by default: a scraper elsewhere needs METRICS_HOST=0.0.0.0 and a network policy).
 * The exporter package's own server is not used because it does not append unit suffixes.
 */
export function startPrometheusEndpoint(host: string, port: number): PrometheusEndpoint {
  /* eslint-disable @typescript-eslint/no-require-imports -- loaded only when the endpoint is on */
  const { PrometheusExporter, PrometheusSerializer } =
    require('@opentelemetry/exporter-prometheus') as typeof import('@opentelemetry/exporter-prometheus');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const exporter = new PrometheusExporter({ preventServerStart: true });
  // target_info (the command line and host, on every scrape) and the otel_scope_name label: left out.
  const serializer = new PrometheusSerializer(undefined, false, undefined, true, true);
  const server: Server = createServer((request, response) => {
    if (request.method !== 'GET' || (request.url ?? '').split('?')[0] !== '/metrics') {
      response.writeHead(404).end();
      return;
    }
    exporter.collect().then(
      ({ resourceMetrics }) =>
        response
          .writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' })
          .end(serializer.serialize(withPrometheusNames(resourceMetrics as unknown as ResourceMetrics))),
      (error: unknown) => response.writeHead(500).end(`# failed to collect: ${(error as Error).message}\n`),
    );
  });
  server.listen(port, host);
  // A scrape endpoint must never keep a process alive that is otherwise shutting down.
  server.unref();
  return {
    // Its sdk-metrics copy may differ from the root one by a patch version; the interface is the same.
    reader: exporter as unknown as MetricReader,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
