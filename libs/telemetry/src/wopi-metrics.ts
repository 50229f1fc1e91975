import {
  type Attributes,
  type Counter,
  type Histogram,
  type Meter,
  metrics,
  type ObservableGauge,
  type ObservableResult,
} from '@opentelemetry/api';

/**
 * Every metric the gateway records, by its OpenTelemetry name (docs/metrics.md lists each with its
 * Prometheus series). Units are seconds and bytes (OTel semantic conventions); attributes are
 * namespaced `wopi.*`, plus `error.type`, `http.response.status_code` and `geo.country.iso_code`.
 */
export const WopiMetricName = {
  RequestDuration: 'wopi.request.duration',
  LockConflicts: 'wopi.lock.conflicts',
  ProofFailures: 'wopi.proof.failures',
  CoreAppRequestDuration: 'wopi.core_app.request.duration',
  CoreAppBreakerState: 'wopi.core_app.breaker.state',
  WriteBackQueueDepth: 'wopi.write_back.queue.depth',
  WriteBackLag: 'wopi.write_back.lag',
  WriteBackOldestPendingAge: 'wopi.write_back.oldest_pending.age',
  WriteBackAttempts: 'wopi.write_back.attempts',
  ConversionDuration: 'wopi.conversion.duration',
  EditorSessionsActive: 'wopi.editor.sessions.active',
  StagingBytes: 'wopi.staging.bytes',
} as const;

/** wopi.core_app.breaker.state values. */
export const BreakerStateValue = { closed: 0, half_open: 1, open: 2 } as const;

/** wopi.write_back.attempts outcomes. */
export type WriteBackAttemptOutcome = 'confirmed' | 'retried' | 'conflict' | 'held' | 'failed';

/**
 * Bucket bounds of the latency histograms, in seconds: WOPI answers are expected in milliseconds,
 * a write-back or a conversion may take minutes. The SDK's default buckets are made for ms.
 */
const REQUEST_BUCKETS = [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const LAG_BUCKETS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200];

interface Instruments {
  requestDuration: Histogram;
  lockConflicts: Counter;
  proofFailures: Counter;
  coreAppRequestDuration: Histogram;
  writeBackLag: Histogram;
  writeBackAttempts: Counter;
  conversionDuration: Histogram;
}

let created: { meter: Meter; instruments: Instruments } | undefined;

/**
 * The gateway's meter and instruments. Created on first use, from the meter provider registered
 * by then (startTelemetry runs before any module records): with no provider the API's no-op meter
 * makes every record() an empty call.
 */
function instruments(): Instruments {
  const meter = metrics.getMeter('wopi-gateway');
  if (created?.meter === meter) return created.instruments;
  const seconds = (name: string, description: string, buckets: number[]) =>
    meter.createHistogram(name, { description, unit: 's', advice: { explicitBucketBoundaries: buckets } });
  const made: Instruments = {
    requestDuration: seconds(WopiMetricName.RequestDuration, 'WOPI requests: latency, by operation', REQUEST_BUCKETS),
    lockConflicts: meter.createCounter(WopiMetricName.LockConflicts, {
      description: 'WOPI lock operations refused with 409 (another lock holds the file)',
      unit: '{conflict}',
    }),
    proofFailures: meter.createCounter(WopiMetricName.ProofFailures, {
      description: 'WOPI requests whose proof keys did not verify',
      unit: '{request}',
    }),
    coreAppRequestDuration: seconds(
      WopiMetricName.CoreAppRequestDuration,
      'Calls to core apps: latency, by tenant and contract operation',
      REQUEST_BUCKETS,
    ),
    writeBackLag: seconds(WopiMetricName.WriteBackLag, 'Time from a save to the core app confirming it', LAG_BUCKETS),
    writeBackAttempts: meter.createCounter(WopiMetricName.WriteBackAttempts, {
      description: 'Write-back attempts, by outcome',
      unit: '{attempt}',
    }),
    conversionDuration: seconds(WopiMetricName.ConversionDuration, 'Document conversions: duration', LAG_BUCKETS),
  };
  created = { meter, instruments: made };
  return made;
}

/** `error.type` of a failure: the error's class name, or a status code as text (OTel convention). */
export function errorTypeOf(error: unknown): string {
  if (error instanceof Error) return error.constructor.name === 'Error' ? error.name : error.constructor.name;
  return typeof error === 'string' ? error : '_OTHER';
}

/** The attributes that have a value; a plain loop, since every WOPI request records through this. */
function withoutUndefined(attributes: Attributes): Attributes {
  const kept: Attributes = {};
  for (const name of Object.keys(attributes)) {
    const value = attributes[name];
    if (value !== undefined && value !== '') kept[name] = value;
  }
  return kept;
}

/** Recording points for everyone: api, worker and libs record through these, never on a meter directly. */
export const wopiMetrics = {
  requestDuration(seconds: number, attributes: Attributes): void {
    instruments().requestDuration.record(seconds, withoutUndefined(attributes));
  },
  lockConflict(attributes: { 'wopi.operation': string; 'wopi.tenant': string }): void {
    instruments().lockConflicts.add(1, attributes);
  },
  proofFailure(attributes: { 'wopi.tenant': string; 'wopi.client'?: string }): void {
    instruments().proofFailures.add(1, withoutUndefined(attributes));
  },
  coreAppRequest(
    seconds: number,
    attributes: { 'wopi.tenant': string; 'wopi.core_app.operation': string; 'error.type'?: string },
  ): void {
    instruments().coreAppRequestDuration.record(seconds, withoutUndefined(attributes));
  },
  writeBackLag(seconds: number, attributes: { 'wopi.tenant'?: string } = {}): void {
    instruments().writeBackLag.record(seconds, withoutUndefined(attributes));
  },
  writeBackAttempt(attributes: { 'wopi.tenant': string; 'wopi.write_back.outcome': WriteBackAttemptOutcome }): void {
    instruments().writeBackAttempts.add(1, attributes);
  },
  conversion(seconds: number, attributes: { 'error.type'?: string } = {}): void {
    instruments().conversionDuration.record(seconds, withoutUndefined(attributes));
  },
};

/** One observation of a gauge: its value and attributes. */
export type GaugeReading = { value: number; attributes?: Attributes };

/**
 * Registers an asynchronous gauge read at each collection (export or scrape), never on a timer of
 * its own: with no meter provider it is never read at all. Returns a function that unregisters it.
 */
export function observeGauge(
  name: (typeof WopiMetricName)[keyof typeof WopiMetricName],
  options: { description: string; unit: string },
  read: () => GaugeReading[] | Promise<GaugeReading[]>,
): () => void {
  const gauge: ObservableGauge = metrics.getMeter('wopi-gateway').createObservableGauge(name, options);
  const callback = async (result: ObservableResult) => {
    try {
      for (const reading of await read()) result.observe(reading.value, reading.attributes);
    } catch {
      // A failed reading (Redis or PostgreSQL briefly away) leaves a gap, not an error in the exporter.
    }
  };
  gauge.addCallback(callback);
  return () => gauge.removeCallback(callback);
}
