/**
 * Telemetry as an operator switches it on: api and worker processes from the build, configured
 * only by the standard OTEL_* variables and exporting to a local OTLP receiver, real requests
 * through the demo core app. What is exported and logged must carry one trace from PutFile to the
 * worker's core-app call, a small span count per request, the WOPI metrics with their attributes,
 * and no secret anywhere.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { PrismaClient } from '@wopi/db';
import { type ApiProcess, freePort, startApiProcess } from '../support/api-process';
import { privateGatewayEnv } from '../support/private-gateway';
import { type DemoCoreProcess, startDemoCoreProcess } from '../support/demo-core-process';
import { type OtlpReceiver, type ReceivedSpan, startOtlpReceiver } from '../support/otlp-receiver';
import { SecretScanner } from '../support/secret-scan';
import { createTestTenant, testPrisma } from '../support/test-tenant';
import { waitFor } from '../support/wait-for';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process';

const SPAN_KIND_SERVER = 2;
const SPAN_KIND_CLIENT = 3;

describe('telemetry export (OTLP on)', () => {
  let prisma: PrismaClient;
  let receiver: OtlpReceiver;
  let core: DemoCoreProcess;
  let coreData: string;
  let api: ApiProcess;
  let worker: WorkerProcess;
  const credential = `tel-${randomBytes(16).toString('hex')}`;
  const scanner = new SecretScanner().add('core-app credential', credential);

  let gatewayEnv: Awaited<ReturnType<typeof privateGatewayEnv>>;

  beforeAll(async () => {
    // Its own deployment: only this file's worker writes its saves back (and exports that span).
    gatewayEnv = await privateGatewayEnv('telemetry');
    prisma = testPrisma(gatewayEnv.env.DATABASE_URL);
    receiver = await startOtlpReceiver();
    coreData = await mkdtemp(path.join(tmpdir(), 'tel-core-'));
    core = await startDemoCoreProcess({ port: await freePort(), dataDir: coreData, credential });
    const otel = {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_HEADERS: 'x-collector-tenant=gateway-test',
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=e2e',
      OTEL_BSP_SCHEDULE_DELAY: '200',
      OTEL_METRIC_EXPORT_INTERVAL: '500',
      LOG_LEVEL: 'info',
    };
    [api, worker] = await Promise.all([
      startApiProcess({ ...gatewayEnv.env, ...otel, CLIENT_COUNTRY_HEADER: 'CloudFront-Viewer-Country' }),
      startWorkerProcess({
        ...gatewayEnv.env,
        ...otel,
        OTEL_SERVICE_NAME: 'wopi-worker-e2e',
        WRITE_BACK_RELAY_INTERVAL_MS: '500',
      }),
    ]);
  }, 90_000);

  afterAll(async () => {
    await Promise.all([api?.stop(), worker?.stop()]);
    await core?.stop();
    await receiver?.close();
    await prisma?.$disconnect();
    await gatewayEnv?.remove();
    await rm(coreData, { recursive: true, force: true });
  });

  async function openSession(tenant: { sessionApiKey: string }, name: string) {
    const response = await fetch(`${api.url}/api/v1/sessions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tenant.sessionApiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ fileRef: await core.refOf(name), userId: 'alice', action: 'edit' }),
    });
    expect(response.status).toBe(201);
    return (await response.json()) as { fileId: string; accessToken: string };
  }

  /** The spans of the trace whose server span answered this request id (x-request-id). */
  function traceOf(spans: ReceivedSpan[], server: ReceivedSpan | undefined): ReceivedSpan[] {
    return server ? spans.filter((span) => span.traceId === server.traceId) : [];
  }

  it('exports one trace from PutFile to the core-app call, few spans per request, labelled metrics, and no secret', async () => {
    const tenant = await createTestTenant(prisma, core);
    scanner.add('session API key', tenant.sessionApiKey);
    const session = await openSession(tenant, 'Budget.xlsx');
    scanner.add('access token', session.accessToken);
    const token = encodeURIComponent(session.accessToken);
    const files = `${api.url}/wopi/files/${session.fileId}`;
    const proofHeaders = {
      'x-wopi-proof': `proof-${randomBytes(24).toString('base64')}`,
      'x-wopi-proofold': `proofold-${randomBytes(24).toString('base64')}`,
      'x-wopi-timestamp': '638000000000000000',
    };
    scanner.add('X-WOPI-Proof', proofHeaders['x-wopi-proof']).add('X-WOPI-ProofOld', proofHeaders['x-wopi-proofold']);
    const country = { 'cloudfront-viewer-country': 'de' };

    // The token in every spelling a client may use: plain, encoded parameter name, mixed case, header.
    const checkFileInfo = await fetch(`${files}?access_token=${token}&access_token_ttl=0`, {
      headers: { ...proofHeaders, ...country },
    });
    expect(checkFileInfo.status).toBe(200);
    expect((await fetch(`${files}?access%5Ftoken=${token}`, { headers: proofHeaders })).status).toBe(200);
    expect((await fetch(`${files}?Access_Token=${token}`)).status).toBe(401);
    expect((await fetch(files, { headers: { authorization: `Bearer ${session.accessToken}` } })).status).toBe(200);

    const lock = `lock-${randomBytes(4).toString('hex')}`;
    const post = (suffix: string, headers: Record<string, string>, body?: Buffer) =>
      fetch(`${files}${suffix}?access_token=${token}`, {
        method: 'POST',
        headers: { ...proofHeaders, ...country, ...headers },
        body,
      });
    expect((await post('', { 'x-wopi-override': 'LOCK', 'x-wopi-lock': lock })).status).toBe(200);
    const conflict = await post('', { 'x-wopi-override': 'LOCK', 'x-wopi-lock': 'someone-else' });
    expect(conflict.status).toBe(409);
    const content = Buffer.concat([Buffer.from('saved through the gateway '), randomBytes(1024)]);
    const putFile = await post(
      '/contents',
      { 'x-wopi-override': 'PUT', 'x-wopi-lock': lock, 'content-type': 'application/octet-stream' },
      content,
    );
    expect(putFile.status).toBe(200);
    const putFileRequestId = putFile.headers.get('x-request-id');
    expect((await post('', { 'x-wopi-override': 'UNLOCK', 'x-wopi-lock': lock })).status).toBe(200);
    const checkFileInfoRequestId = checkFileInfo.headers.get('x-request-id');

    // The save reaches the core app through the worker...
    await waitFor(
      async () =>
        (await prisma.fileVersion.count({ where: { fileId: session.fileId, writeBackState: 'CONFIRMED' } })) > 0,
      'the write-back to be confirmed',
      30_000,
    );
    // ...and its trace reaches the receiver: the PutFile server span, the worker's write-back span
    // under it, and the worker's HTTP call to the core app under that.
    let putTrace: ReceivedSpan[] = [];
    await waitFor(
      async () => {
        const spans = receiver.spans();
        const server = spans.find(
          (span) =>
            span.kind === SPAN_KIND_SERVER &&
            span.service === 'wopi-api' &&
            span.attributes['wopi.operation'] === 'PutFile',
        );
        putTrace = traceOf(spans, server);
        return (
          putTrace.some((span) => span.service === 'wopi-worker-e2e' && span.kind === SPAN_KIND_CLIENT) &&
          putTrace.some((span) => span.name === 'write-back')
        );
      },
      "the worker's core-app span to join the PutFile trace",
      20_000,
    );
    const byId = new Map(putTrace.map((span) => [span.spanId, span]));
    const ancestors = (span: ReceivedSpan) => {
      const chain: ReceivedSpan[] = [];
      for (let parent = byId.get(span.parentSpanId ?? ''); parent; parent = byId.get(parent.parentSpanId ?? ''))
        chain.push(parent);
      return chain;
    };
    const writeBack = putTrace.find((span) => span.name === 'write-back');
    expect(writeBack?.service).toBe('wopi-worker-e2e');
    expect(ancestors(writeBack!).some((span) => span.kind === SPAN_KIND_SERVER && span.service === 'wopi-api')).toBe(
      true,
    );
    const coreCall = putTrace.find(
      (span) =>
        span.service === 'wopi-worker-e2e' &&
        span.kind === SPAN_KIND_CLIENT &&
        /PUT/.test(String(span.attributes['http.request.method'] ?? span.attributes['http.method'] ?? span.name)),
    );
    expect(coreCall).toBeDefined();
    expect(ancestors(coreCall!)).toContain(writeBack);
    expect(putFileRequestId).toBeTruthy();

    // A span budget: a CheckFileInfo is a handful of spans, not dozens (no Prisma internals, no
    // per-hook Fastify or per-handler Nest spans).
    const spans = receiver.spans();
    const checkFileInfoServers = spans.filter(
      (span) => span.kind === SPAN_KIND_SERVER && span.attributes['wopi.operation'] === 'CheckFileInfo',
    );
    expect(checkFileInfoServers.length).toBeGreaterThanOrEqual(3);
    // The file's first CheckFileInfo records the core app's version (one transaction, kept: a
    // write); every later one is the steady state: server span, Redis, the core-app calls.
    const traceSizes = checkFileInfoServers.map((server) => {
      const inTrace = traceOf(spans, server);
      expect(server.name).toBe('GET /wopi/files/:fileId');
      return {
        spans: inTrace.length,
        recordsVersion: inTrace.some((span) => span.name === 'prisma:client:transaction'),
      };
    });
    expect(traceSizes.filter((size) => size.recordsVersion).length).toBeLessThanOrEqual(1);
    for (const size of traceSizes) expect(size.spans).toBeLessThanOrEqual(size.recordsVersion ? 9 : 6);
    expect(spans.filter((span) => /^prisma:client:(serialize|compile|db_query|connect)/.test(span.name))).toEqual([]);
    expect(
      spans.filter((span) => /^(middleware|request handler|handler) - |^fastify|Controller\./i.test(span.name)),
    ).toEqual([]);

    // Metrics with the operation, file type, view/edit, tenant and country; seconds as the unit.
    // Metrics are exported on an interval: wait for an export that holds every request made above.
    await waitFor(
      async () =>
        receiver.points().some((p) => p.metric === 'wopi.lock.conflicts') &&
        receiver
          .points()
          .some((p) => p.metric === 'wopi.request.duration' && p.attributes['wopi.operation'] === 'PutFile') &&
        // The worker exports on its own interval: its core-app PUT may come a moment later.
        receiver
          .points()
          .some(
            (p) =>
              p.metric === 'wopi.core_app.request.duration' && p.attributes['wopi.core_app.operation'] === 'putContent',
          ),
      'the lock conflict, the PutFile request and the write-back core-app call to be exported',
      20_000,
    );
    const requestPoints = receiver.points().filter((p) => p.metric === 'wopi.request.duration');
    expect(requestPoints[0]?.unit).toBe('s');
    expect(requestPoints.map((p) => p.attributes)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          'wopi.operation': 'PutFile',
          'wopi.tenant': tenant.slug,
          'wopi.file.extension': 'xlsx',
          'wopi.access': 'edit',
          'http.response.status_code': 200,
          'geo.country.iso_code': 'DE',
        }),
        expect.objectContaining({ 'wopi.operation': 'Lock', 'http.response.status_code': 409, 'error.type': '409' }),
      ]),
    );
    expect(receiver.points().find((p) => p.metric === 'wopi.lock.conflicts')?.attributes).toEqual({
      'wopi.operation': 'Lock',
      'wopi.tenant': tenant.slug,
    });
    const coreAppPoints = receiver.points().filter((p) => p.metric === 'wopi.core_app.request.duration');
    expect(coreAppPoints.map((p) => p.attributes)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ 'wopi.tenant': tenant.slug, 'wopi.core_app.operation': 'putContent' }),
      ]),
    );
    expect(
      receiver
        .points()
        .filter((p) => p.metric === 'wopi.core_app.breaker.state')
        .map((p) => p.value),
    ).toContain(0);
    // The resource and headers from the OTEL_* variables.
    expect(receiver.spans().some((span) => span.service === 'wopi-worker-e2e')).toBe(true);
    expect(receiver.exports.some((e) => e.body.includes('deployment.environment.name'))).toBe(true);

    // Logs: one JSON line per request with trace ids, tenant and file id; the PutFile line's trace
    // is the exported one.
    const apiLines = api
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const putLine = apiLines.find((line) => (line.req as { id?: string } | undefined)?.id === putFileRequestId);
    expect(putLine).toMatchObject({
      tenant: tenant.slug,
      fileId: session.fileId,
      wopiOperation: 'PutFile',
      traceId: putTrace[0].traceId,
    });
    const checkLine = apiLines.find((line) => (line.req as { id?: string } | undefined)?.id === checkFileInfoRequestId);
    expect((checkLine?.req as { url: string }).url).toBe(
      `/wopi/files/${session.fileId}?access_token=[Redacted]&access_token_ttl=0`,
    );

    // Nothing secret in any exported byte or any log line.
    const findings = scanner.scanAll([
      ...receiver.exports.map((e, i) => ({ where: `export ${i} ${e.path}`, text: e.body })),
      { where: 'api output', text: api.output() },
      { where: 'worker output', text: worker.output() },
    ]);
    expect(findings).toEqual([]);
  }, 120_000);
});
