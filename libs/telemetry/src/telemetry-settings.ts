/** The OTLP protocols the gateway can export with (OTEL_EXPORTER_OTLP_PROTOCOL). */
export const OTLP_PROTOCOLS = ['http/protobuf', 'http/json', 'grpc'] as const;
export type OtlpProtocol = (typeof OTLP_PROTOCOLS)[number];

export const TRACE_SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;
export type TraceSamplerName = (typeof TRACE_SAMPLERS)[number];

/** What a process exports, decided once at start from the standard OTEL_* variables. */
export interface TelemetrySettings {
  /** OTLP trace export; undefined: no tracing at all (no instrumentation is even loaded). */
  traces?: { protocol: OtlpProtocol; sampler: TraceSamplerName; samplerRatio: number };
  /** OTLP metric export; undefined: none. */
  otlpMetrics?: { protocol: OtlpProtocol; exportIntervalMs: number };
  /** The Prometheus scrape endpoint (GET /metrics); undefined: none. */
  prometheus?: { host: string; port: number };
}

export class TelemetrySettingsError extends Error {}

const DEFAULT_EXPORT_INTERVAL_MS = 60_000;

/**
 * Reads the standard OpenTelemetry variables (spec "SDK environment variables"): a signal is
 * exported over OTLP when an endpoint is set for it (OTEL_EXPORTER_OTLP_ENDPOINT, or the
 * per-signal OTEL_EXPORTER_OTLP_{TRACES,METRICS}_ENDPOINT) and its OTEL_{TRACES,METRICS}_EXPORTER
 * is not `none`; OTEL_SDK_DISABLED=true turns everything off. Without an endpoint nothing is set
 * up, instead of the SDK's default of exporting to localhost:4318. Values it cannot honour are
 * refused with a message (a typo in a sampler name silently sampling everything is worse).
 */
export function telemetrySettingsFromEnv(
  env: NodeJS.ProcessEnv,
  prometheus?: { host: string; port?: number },
): TelemetrySettings {
  const value = (name: string) => {
    const raw = env[name]?.trim();
    return raw ? raw : undefined;
  };
  if (value('OTEL_SDK_DISABLED')?.toLowerCase() === 'true') return {};
  const exporterOn = (signal: 'TRACES' | 'METRICS') => {
    const exporters = (value(`OTEL_${signal}_EXPORTER`) ?? 'otlp').split(',').map((name) => name.trim());
    if (exporters.includes('none')) return false;
    const unsupported = exporters.filter((name) => name !== 'otlp');
    if (unsupported.length > 0)
      throw new TelemetrySettingsError(
        `OTEL_${signal}_EXPORTER may only be otlp or none (got ${unsupported.join(', ')})`,
      );
    return (
      value(`OTEL_EXPORTER_OTLP_${signal}_ENDPOINT`) !== undefined || value('OTEL_EXPORTER_OTLP_ENDPOINT') !== undefined
    );
  };
  const protocol = (signal: 'TRACES' | 'METRICS'): OtlpProtocol => {
    const name = `OTEL_EXPORTER_OTLP_${signal}_PROTOCOL`;
    const given = value(name) ?? value('OTEL_EXPORTER_OTLP_PROTOCOL') ?? 'http/protobuf';
    if (!(OTLP_PROTOCOLS as readonly string[]).includes(given))
      throw new TelemetrySettingsError(
        `${name} / OTEL_EXPORTER_OTLP_PROTOCOL must be one of ${OTLP_PROTOCOLS.join(', ')}`,
      );
    return given as OtlpProtocol;
  };

  const settings: TelemetrySettings = {};
  if (exporterOn('TRACES')) {
    const sampler = (value('OTEL_TRACES_SAMPLER') ?? 'parentbased_always_on').toLowerCase();
    if (!(TRACE_SAMPLERS as readonly string[]).includes(sampler))
      throw new TelemetrySettingsError(`OTEL_TRACES_SAMPLER must be one of ${TRACE_SAMPLERS.join(', ')}`);
    const ratioText = value('OTEL_TRACES_SAMPLER_ARG');
    const samplerRatio = ratioText === undefined ? 1 : Number(ratioText);
    if (sampler.endsWith('traceidratio') && !(samplerRatio >= 0 && samplerRatio <= 1))
      throw new TelemetrySettingsError('OTEL_TRACES_SAMPLER_ARG must be a number from 0 to 1');
    settings.traces = { protocol: protocol('TRACES'), sampler: sampler as TraceSamplerName, samplerRatio };
  }
  if (exporterOn('METRICS')) {
    const intervalText = value('OTEL_METRIC_EXPORT_INTERVAL');
    const exportIntervalMs = intervalText === undefined ? DEFAULT_EXPORT_INTERVAL_MS : Number(intervalText);
    if (!Number.isInteger(exportIntervalMs) || exportIntervalMs < 100)
      throw new TelemetrySettingsError('OTEL_METRIC_EXPORT_INTERVAL must be an integer number of milliseconds >= 100');
    settings.otlpMetrics = { protocol: protocol('METRICS'), exportIntervalMs };
  }
  if (prometheus?.port !== undefined) settings.prometheus = { host: prometheus.host, port: prometheus.port };
  return settings;
}
