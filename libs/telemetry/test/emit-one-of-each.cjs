// Run as its own process (the OTLP exporters load code with import(), which Jest's module
// sandbox refuses): starts telemetry from the build, sends one span, one metric point and one
// log record through the global API, prints what was set up as one JSON line, shuts telemetry
// down and exits. Configured by the OTEL_* variables of its environment, as the api and the
// worker are.
const path = require('node:path');
const { startTelemetry } = require(path.resolve(__dirname, '../../../dist/libs/telemetry/src'));

const telemetry = startTelemetry({ serviceName: 'telemetry-test' });
const http = require('node:http');
const { trace, metrics } = require('@opentelemetry/api');
const { logs } = require('@opentelemetry/api-logs');
const span = trace.getTracer('telemetry-test').startSpan('a unit of work');
const setUp = {
  spanRecording: span.isRecording(),
  // An instrumentation wraps the module's functions (shimmer marks them __wrapped).
  httpInstrumented: Boolean(http.request.__wrapped || http.get.__wrapped),
  meterProvider: metrics.getMeterProvider().constructor.name,
};
span.end();
metrics.getMeter('telemetry-test').createCounter('telemetry_test_events').add(1);
logs.getLogger('telemetry-test').emit({ body: 'a log record' });
process.stdout.write(`${JSON.stringify(setUp)}\n`);
telemetry.shutdown().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
