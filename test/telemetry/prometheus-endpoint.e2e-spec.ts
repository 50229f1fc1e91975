/**
 * The Prometheus scrape endpoint an operator turns on with METRICS_PORT (no OTLP collector): api
 * and worker processes from the build serve GET /metrics on their own loopback listener, with the
 * series names docs/metrics.md promises, and no tracing set up.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { PrismaClient } from '@wopi/db';
import { type ApiProcess, freePort, startApiProcess } from '../support/api-process';
import { type DemoCoreProcess, startDemoCoreProcess } from '../support/demo-core-process';
import { SecretScanner } from '../support/secret-scan';
import { createTestTenant, testPrisma } from '../support/test-tenant';
import { waitFor } from '../support/wait-for';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process';

describe('Prometheus endpoint (METRICS_PORT)', () => {
  let prisma: PrismaClient;
  let core: DemoCoreProcess;
  let coreData: string;
  let api: ApiProcess;
  let worker: WorkerProcess;
  let apiMetrics: string;
  let workerMetrics: string;
  const credential = `prom-${randomBytes(16).toString('hex')}`;

  beforeAll(async () => {
    prisma = testPrisma();
    coreData = await mkdtemp(path.join(tmpdir(), 'prom-core-'));
    core = await startDemoCoreProcess({ port: await freePort(), dataDir: coreData, credential });
    const [apiPort, workerPort] = [await freePort(), await freePort()];
    apiMetrics = `http://127.0.0.1:${apiPort}/metrics`;
    workerMetrics = `http://127.0.0.1:${workerPort}/metrics`;
    [api, worker] = await Promise.all([
      startApiProcess({ METRICS_PORT: String(apiPort), LOG_LEVEL: 'info' }),
      startWorkerProcess({ METRICS_PORT: String(workerPort) }),
    ]);
  }, 90_000);

  afterAll(async () => {
    await Promise.all([api?.stop(), worker?.stop()]);
    await core?.stop();
    await prisma?.$disconnect();
    await rm(coreData, { recursive: true, force: true });
  });

  it('serves the WOPI series by their documented names, bound to loopback, without tracing', async () => {
    const tenant = await createTestTenant(prisma, core);
    const opened = await fetch(`${api.url}/api/v1/sessions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tenant.sessionApiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ fileRef: await core.refOf('Welcome.docx'), userId: 'alice', action: 'view' }),
    });
    const session = (await opened.json()) as { fileId: string; accessToken: string };
    const files = `${api.url}/wopi/files/${session.fileId}?access_token=${encodeURIComponent(session.accessToken)}`;
    expect((await fetch(files)).status).toBe(200);
    expect((await fetch(files, { method: 'POST', headers: { 'x-wopi-override': 'GET_LOCK' } })).status).toBe(200);

    const scraped = await (await fetch(apiMetrics)).text();
    const requestSeries = scraped.split('\n').filter((line) => line.startsWith('wopi_request_duration_seconds_count{'));
    expect(requestSeries.join('\n')).toContain(`wopi_operation="CheckFileInfo"`);
    expect(requestSeries.find((line) => line.includes('wopi_operation="CheckFileInfo"'))).toMatch(
      new RegExp(
        `wopi_tenant="${tenant.slug}".*wopi_file_extension="docx".*wopi_access="view"|wopi_access="view".*wopi_file_extension="docx"`,
      ),
    );
    expect(requestSeries.join('\n')).toContain(`wopi_operation="GetLock"`);
    expect(scraped).toMatch(/^wopi_request_duration_seconds_bucket\{.*le="0\.005"/m);
    expect(scraped).toMatch(/^wopi_core_app_request_duration_seconds_count\{.*wopi_core_app_operation="getFile"/m);
    expect(scraped).toMatch(new RegExp(`^wopi_core_app_breaker_state\\{wopi_tenant="${tenant.slug}"\\} 0`, 'm'));
    expect(scraped).toMatch(
      new RegExp(`^wopi_editor_sessions_active\\{wopi_tenant="${tenant.slug}",wopi_access="view"\\} 1$`, 'm'),
    );
    expect(new SecretScanner().add('access token', session.accessToken).scan('api /metrics', scraped)).toEqual([]);

    await waitFor(
      async () => /^wopi_write_back_queue_depth\{/m.test(await (await fetch(workerMetrics)).text()),
      'worker gauges',
      10_000,
    );
    const workerScrape = await (await fetch(workerMetrics)).text();
    for (const state of ['waiting', 'active', 'delayed', 'failed'])
      expect(workerScrape).toMatch(
        new RegExp(`^wopi_write_back_queue_depth\\{wopi_queue_state="${state}"\\} \\d+`, 'm'),
      );
    expect(workerScrape).toMatch(/^wopi_write_back_oldest_pending_age_seconds(\{[^}]*\})? [\d.]+/m);
    expect(workerScrape).toMatch(/^wopi_staging_bytes(\{[^}]*\})? \d+/m);

    // Only the metrics endpoint: the api's own port does not serve it, and no trace ids are logged.
    expect((await fetch(`${api.url}/metrics`)).status).toBe(404);
    expect(api.output()).toContain('"msg":"request completed"');
    // Each request's line says how it was answered.
    expect(api.output()).toMatch(/"res":\{"statusCode":200\}.*"wopiOperation":"CheckFileInfo"/);
    expect(api.output()).not.toContain('"traceId"');
  }, 60_000);
});
