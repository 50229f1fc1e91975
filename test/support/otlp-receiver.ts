import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';

/** One OTLP/HTTP export as received: its path, content type and raw bytes. */
export interface OtlpExport {
  path: string;
  contentType: string;
  body: Buffer;
}

/** A span as OTLP/JSON carries it, with the resource's service.name added. */
export interface ReceivedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: Record<string, unknown>;
}

/** A metric data point as OTLP/JSON carries it. */
export interface ReceivedPoint {
  service: string;
  metric: string;
  unit?: string;
  attributes: Record<string, unknown>;
  /** Sum/gauge value, or a histogram's count. */
  value: number;
}

/**
 * A stand-in OpenTelemetry Collector on loopback (OTLP/HTTP, any protocol): keeps every export's
 * raw bytes (for secret scans) and decodes the `http/json` ones into spans and metric points.
 * Every export is also written to the run's log directory, where the whole-run secret scan reads
 * it (test/setup/run-log-check.ts).
 */
export interface OtlpReceiver {
  url: string;
  exports: OtlpExport[];
  spans(): ReceivedSpan[];
  points(): ReceivedPoint[];
  close(): Promise<void>;
}

type AnyValue = {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
  arrayValue?: { values?: AnyValue[] };
};
type KeyValue = { key: string; value: AnyValue };

const valueOf = (value: AnyValue): unknown =>
  value.stringValue ??
  (value.intValue !== undefined ? Number(value.intValue) : undefined) ??
  value.doubleValue ??
  value.boolValue ??
  value.arrayValue?.values?.map(valueOf);
const attributesOf = (list: KeyValue[] | undefined) =>
  Object.fromEntries((list ?? []).map((kv) => [kv.key, valueOf(kv.value)]));

let exportsKept = 0;

/** One file per export in <run log dir>/otlp/, named so a finding says which signal it was. */
function keepForRunScan({ path: urlPath, contentType, body }: OtlpExport): void {
  const dir = process.env.WOPI_TEST_RUN_LOG_DIR;
  if (!dir) return;
  const signal = urlPath.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'export';
  const extension = contentType.includes('json') ? 'json' : 'bin';
  exportsKept += 1;
  writeFileSync(path.join(dir, 'otlp', `${process.pid}-${exportsKept}-${signal}.${extension}`), body);
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const exports: OtlpExport[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const received = Buffer.concat(chunks);
      // An exporter with OTEL_EXPORTER_OTLP_COMPRESSION=gzip: scans and decoding need the plain bytes.
      const body = request.headers['content-encoding'] === 'gzip' ? gunzipSync(received) : received;
      const otlpExport = { path: request.url ?? '', contentType: String(request.headers['content-type'] ?? ''), body };
      exports.push(otlpExport);
      keepForRunScan(otlpExport);
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const json = (signal: 'traces' | 'metrics') =>
    exports
      .filter((e) => e.path.endsWith(signal) && e.contentType.includes('json'))
      .map((e) => JSON.parse(e.body.toString('utf8')) as Record<string, unknown[]>);
  const serviceOf = (resource: { attributes?: KeyValue[] } | undefined) =>
    String(attributesOf(resource?.attributes)['service.name'] ?? '');
  return {
    url: `http://127.0.0.1:${port}`,
    exports,
    spans() {
      const spans: ReceivedSpan[] = [];
      for (const body of json('traces'))
        for (const rs of body.resourceSpans as {
          resource?: { attributes?: KeyValue[] };
          scopeSpans: { spans: Record<string, unknown>[] }[];
        }[])
          for (const ss of rs.scopeSpans)
            for (const span of ss.spans)
              spans.push({
                service: serviceOf(rs.resource),
                traceId: String(span.traceId),
                spanId: String(span.spanId),
                parentSpanId: span.parentSpanId ? String(span.parentSpanId) : undefined,
                name: String(span.name),
                kind: Number(span.kind),
                attributes: attributesOf(span.attributes as KeyValue[]),
              });
      return spans;
    },
    points() {
      const points: ReceivedPoint[] = [];
      for (const body of json('metrics'))
        for (const rm of body.resourceMetrics as {
          resource?: { attributes?: KeyValue[] };
          scopeMetrics: { metrics: Record<string, unknown>[] }[];
        }[])
          for (const sm of rm.scopeMetrics)
            for (const metric of sm.metrics) {
              const data = (metric.sum ?? metric.gauge ?? metric.histogram) as
                { dataPoints?: Record<string, unknown>[] } | undefined;
              for (const point of data?.dataPoints ?? [])
                points.push({
                  service: serviceOf(rm.resource),
                  metric: String(metric.name),
                  unit: metric.unit as string | undefined,
                  attributes: attributesOf(point.attributes as KeyValue[]),
                  value: Number(point.asDouble ?? point.asInt ?? point.count ?? 0),
                });
            }
      return points;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
