// Run as its own process (the OTLP exporters load code with import(), which Jest's module
// sandbox refuses): starts telemetry from the build, sends one span, one metric point and one
// log record through the global API, shuts telemetry down and exits. Argument: the endpoint, or
// nothing for "not exporting".
const path = require('node:path');
const { startTelemetry } = require(path.resolve(__dirname, '../../../dist/libs/telemetry/src'));

const telemetry = startTelemetry({ serviceName: 'telemetry-test', otlpEndpoint: process.argv[2] });
const { trace, metrics } = require('@opentelemetry/api');
const { logs } = require('@opentelemetry/api-logs');
trace.getTracer('telemetry-test').startSpan('a unit of work').end();
metrics.getMeter('telemetry-test').createCounter('telemetry_test_events').add(1);
logs.getLogger('telemetry-test').emit({ body: 'a log record' });
telemetry.shutdown().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
