import { emitOneOfEachInChild, type OtlpCapture, startOtlpCapture } from './otlp-capture';

describe('startTelemetry', () => {
  let capture: OtlpCapture;

  beforeEach(async () => {
    capture = await startOtlpCapture();
  });

  afterEach(() => capture.close());

  it('sends nothing anywhere without an endpoint, also when flushing on shutdown', async () => {
    // The SDK's fallback for a signal it is not given is an OTLP exporter on a default URL that
    // these variables override: pointed at the capture server, any fallback would show up here.
    const fallbacks = Object.fromEntries(
      ['TRACES', 'METRICS', 'LOGS'].map((signal) => [
        `OTEL_EXPORTER_OTLP_${signal}_ENDPOINT`,
        `${capture.url}/fallback`,
      ]),
    );
    await emitOneOfEachInChild(undefined, fallbacks);
    expect(capture.received).toEqual([]);
  });

  it('flushes spans and metrics to the endpoint on shutdown, and keeps log records on stdout', async () => {
    // Were a log exporter set up, this variable would aim it at the capture server too.
    await emitOneOfEachInChild(`${capture.url}/`, { OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: `${capture.url}/v1/logs` });
    expect([...new Set(capture.received)].sort()).toEqual(['POST /v1/metrics', 'POST /v1/traces']);
  });
});
