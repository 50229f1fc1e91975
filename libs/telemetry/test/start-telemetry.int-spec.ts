import { type OtlpReceiver, startOtlpReceiver } from '../../../test/support/otlp-receiver';
import { emitOneOfEachInChild } from './otlp-capture';

describe('startTelemetry', () => {
  let receiver: OtlpReceiver;

  beforeEach(async () => {
    receiver = await startOtlpReceiver();
  });

  afterEach(() => receiver.close());

  const received = () => [...new Set(receiver.exports.map((e) => `${e.path} ${e.contentType}`))].sort();

  it('sets nothing up without an endpoint: no tracer, no meter provider, no instrumentation, nothing sent', async () => {
    const setUp = await emitOneOfEachInChild({ OTEL_SERVICE_NAME: 'ignored' });
    expect(setUp).toEqual({ spanRecording: false, httpInstrumented: false, meterProvider: 'NoopMeterProvider' });
  });

  it('sets nothing up when OTEL_SDK_DISABLED=true, even with an endpoint', async () => {
    const setUp = await emitOneOfEachInChild({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_SDK_DISABLED: 'true' });
    expect(setUp).toEqual({ spanRecording: false, httpInstrumented: false, meterProvider: 'NoopMeterProvider' });
    expect(receiver.exports).toEqual([]);
  });

  it('exports spans and metrics as http/protobuf by default, and never log records', async () => {
    const setUp = await emitOneOfEachInChild({
      OTEL_EXPORTER_OTLP_ENDPOINT: `${receiver.url}/`,
      // Were a log exporter set up, this variable would aim it at the receiver too.
      OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: `${receiver.url}/v1/logs`,
    });
    expect(setUp).toEqual({ spanRecording: true, httpInstrumented: true, meterProvider: 'MeterProvider' });
    expect(received()).toEqual(['/v1/metrics application/x-protobuf', '/v1/traces application/x-protobuf']);
  });

  it('honours http/json, per-signal endpoints and OTEL_TRACES_SAMPLER', async () => {
    await emitOneOfEachInChild({
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.url}/custom/traces`,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    });
    // Only the traces endpoint was given: no metrics export.
    expect(received()).toEqual(['/custom/traces application/json']);
    expect(receiver.spans().map((span) => [span.service, span.name])).toEqual([['telemetry-test', 'a unit of work']]);

    receiver.exports.length = 0;
    const setUp = await emitOneOfEachInChild({
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_TRACES_SAMPLER: 'traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0',
      OTEL_SERVICE_NAME: 'renamed-by-env',
    });
    expect(setUp.spanRecording).toBe(false);
    expect(receiver.spans()).toEqual([]);
    expect(receiver.points().find((p) => p.metric === 'telemetry_test_events')?.service).toBe('renamed-by-env');
  });

  it('refuses a sampler or protocol it cannot honour, with the variable named', async () => {
    await expect(
      emitOneOfEachInChild({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_TRACES_SAMPLER: 'parentbased_sometimes' }),
    ).rejects.toThrow(/OTEL_TRACES_SAMPLER must be one of/);
    await expect(
      emitOneOfEachInChild({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/xml' }),
    ).rejects.toThrow(/OTEL_EXPORTER_OTLP_PROTOCOL must be one of/);
  });
});
