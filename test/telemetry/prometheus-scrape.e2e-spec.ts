/**
 * A real Prometheus (Debian's, as test/deploy installs it) scraping a running api and worker on
 * their METRICS_PORT endpoints, with the deployment's alert rules: what an operator's Prometheus
 * sees after real WOPI traffic. Both targets are up, the request histogram carries the operation,
 * file extension and view/edit attributes docs/metrics.md documents, the alert rules evaluate
 * against that data without error (and stay quiet on a healthy deployment), and the dashboards'
 * queries answer with it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { PrismaClient } from '@wopi/db';
import { stringify } from 'yaml';
import { DEPLOYED_ALERT_NAMES, ensurePrometheus, REPO_ROOT, repoFile } from '../deploy/deploy-tools';
import { type ApiProcess, freePort, startApiProcess } from '../support/api-process';
import { type DemoCoreProcess, startDemoCoreProcess } from '../support/demo-core-process';
import { privateGatewayEnv } from '../support/private-gateway';
import { createTestTenant, type TestTenant, testPrisma } from '../support/test-tenant';
import { waitFor } from '../support/wait-for';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process';

// Installing Debian's prometheus package on a fresh machine, then a private deployment.
const SETUP_TIMEOUT_MS = 600_000;

interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

describe('Prometheus scraping the api and the worker (METRICS_PORT)', () => {
  let scratch: string;
  let gatewayEnv: Awaited<ReturnType<typeof privateGatewayEnv>>;
  let prisma: PrismaClient;
  let core: DemoCoreProcess;
  let api: ApiProcess;
  let worker: WorkerProcess;
  let prometheus: ChildProcess;
  let prometheusLog = '';
  let prometheusUrl: string;
  let tenant: TestTenant;
  const credential = `scrape-${randomBytes(16).toString('hex')}`;

  beforeAll(async () => {
    const prometheusBinary = ensurePrometheus();
    scratch = await mkdtemp(path.join(tmpdir(), 'wopi-prom-scrape-'));
    // Its own deployment: the worker's queue gauges and the alerts over them see only this file's jobs.
    gatewayEnv = await privateGatewayEnv('prom-scrape');
    prisma = testPrisma(gatewayEnv.env.DATABASE_URL);
    mkdirSync(path.join(scratch, 'core'));
    core = await startDemoCoreProcess({ port: await freePort(), dataDir: path.join(scratch, 'core'), credential });
    const [apiMetricsPort, workerMetricsPort, prometheusPort] = [await freePort(), await freePort(), await freePort()];
    [api, worker] = await Promise.all([
      startApiProcess({ ...gatewayEnv.env, METRICS_PORT: String(apiMetricsPort) }),
      startWorkerProcess({ ...gatewayEnv.env, METRICS_PORT: String(workerMetricsPort) }),
    ]);
    tenant = await createTestTenant(prisma, core);

    // The deployment's alert rules, a scrape and an evaluation every second, one job per process
    // as the Helm chart's ServiceMonitor scrapes the pods' metrics ports.
    const config = path.join(scratch, 'prometheus.yaml');
    writeFileSync(
      config,
      stringify({
        global: { scrape_interval: '1s', evaluation_interval: '1s' },
        rule_files: [path.join(REPO_ROOT, 'deploy/prometheus/alerts.yaml')],
        scrape_configs: [
          { job_name: 'wopi-api', static_configs: [{ targets: [`127.0.0.1:${apiMetricsPort}`] }] },
          { job_name: 'wopi-worker', static_configs: [{ targets: [`127.0.0.1:${workerMetricsPort}`] }] },
        ],
      }),
    );
    prometheus = spawn(
      prometheusBinary,
      [
        `--config.file=${config}`,
        `--storage.tsdb.path=${path.join(scratch, 'tsdb')}`,
        `--web.listen-address=127.0.0.1:${prometheusPort}`,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    prometheus.stderr!.on('data', (chunk) => (prometheusLog += chunk));
    prometheusUrl = `http://127.0.0.1:${prometheusPort}`;
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    if (prometheus && prometheus.exitCode === null) {
      const exited = new Promise((resolve) => prometheus.once('exit', resolve));
      prometheus.kill('SIGTERM');
      await exited;
    }
    await Promise.all([api?.stop(), worker?.stop()]);
    await core?.stop();
    await prisma?.$disconnect();
    await gatewayEnv?.remove();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  /** An instant query through Prometheus's HTTP API; undefined while the server is not up yet. */
  async function query(promql: string): Promise<Sample[] | undefined> {
    if (prometheus.exitCode !== null) throw new Error(`prometheus exited:\n${prometheusLog}`);
    const response = await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(promql)}`).catch(
      () => undefined,
    );
    // Not listening yet, or listening but still starting (503 "Service Unavailable").
    if (!response || response.status === 503) return undefined;
    const body = (await response.json()) as { status: string; error?: string; data: { result: Sample[] } };
    if (body.status !== 'success') throw new Error(`${promql}: ${body.error}`);
    return body.data.result;
  }

  async function openSession(name: string, action: 'view' | 'edit') {
    const response = await fetch(`${api.url}/api/v1/sessions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tenant.sessionApiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ fileRef: await core.refOf(name), userId: 'alice', action }),
    });
    expect(response.status).toBe(201);
    const session = (await response.json()) as { fileId: string; accessToken: string };
    const token = `access_token=${encodeURIComponent(session.accessToken)}`;
    return {
      file: `${api.url}/wopi/files/${session.fileId}?${token}`,
      contents: `${api.url}/wopi/files/${session.fileId}/contents?${token}`,
    };
  }

  it('scrapes both processes, and sees each WOPI call by operation, file extension and view/edit', async () => {
    const up = await waitFor(
      async () => {
        const samples = await query('up');
        return samples?.length === 2 && samples;
      },
      'Prometheus to scrape both targets',
      20_000,
    );
    expect(up.map(({ metric, value }) => [metric.job, value[1]]).sort()).toEqual([
      ['wopi-api', '1'],
      ['wopi-worker', '1'],
    ]);

    // A view session on a document, an edit session on a workbook; operations from the method,
    // the path and X-WOPI-Override.
    const viewed = await openSession('Welcome.docx', 'view');
    expect((await fetch(viewed.file)).status).toBe(200);
    expect((await fetch(viewed.contents)).status).toBe(200);
    const edited = await openSession('Budget.xlsx', 'edit');
    expect((await fetch(edited.file)).status).toBe(200);
    expect((await fetch(edited.contents)).status).toBe(200);
    for (const override of ['LOCK', 'UNLOCK']) {
      const response = await fetch(edited.file, {
        method: 'POST',
        headers: { 'x-wopi-override': override, 'x-wopi-lock': 'scrape-lock' },
      });
      expect(response.status).toBe(200);
    }

    const byCall = `sum by (wopi_operation, wopi_file_extension, wopi_access) (wopi_request_duration_seconds_count{job="wopi-api", wopi_tenant="${tenant.slug}"})`;
    const calls = await waitFor(
      async () => {
        const samples = await query(byCall);
        const total = samples?.reduce((sum, sample) => sum + Number(sample.value[1]), 0);
        return total === 6 && samples;
      },
      'the six WOPI calls in Prometheus',
      15_000,
    );
    expect(
      calls
        .map(
          ({ metric, value }) =>
            `${metric.wopi_operation} ${metric.wopi_file_extension} ${metric.wopi_access} ${value[1]}`,
        )
        .sort(),
    ).toEqual([
      'CheckFileInfo docx view 1',
      'CheckFileInfo xlsx edit 1',
      'GetFile docx view 1',
      'GetFile xlsx edit 1',
      'Lock xlsx edit 1',
      'Unlock xlsx edit 1',
    ]);
    // The histogram is whole: every call in the +Inf bucket, with a duration.
    const histogram = `{job="wopi-api", wopi_tenant="${tenant.slug}"}`;
    expect(
      (await query(`sum(wopi_request_duration_seconds_bucket${histogram.replace('}', ', le="+Inf"}')})`))!,
    ).toEqual([expect.objectContaining({ value: [expect.any(Number), '6'] })]);
    expect(Number((await query(`sum(wopi_request_duration_seconds_sum${histogram})`))![0].value[1])).toBeGreaterThan(0);

    // The worker's deployment-wide gauges come from its own target.
    const depth = await query('wopi_write_back_queue_depth');
    expect(depth!.map(({ metric }) => `${metric.job} ${metric.wopi_queue_state}`).sort()).toEqual(
      ['active', 'delayed', 'failed', 'waiting'].map((state) => `wopi-worker ${state}`),
    );
  }, 45_000);

  it('evaluates the alert rules against that data without error, and none fires on a healthy deployment', async () => {
    type Rule = { name: string; health: string; state: string; lastError?: string; lastEvaluation: string };
    // Evaluations after the calls above reached Prometheus (each rule is evaluated every second).
    const since = Date.now();
    const rules = await waitFor(
      async () => {
        if (prometheus.exitCode !== null) throw new Error(`prometheus exited:\n${prometheusLog}`);
        const response = await fetch(`${prometheusUrl}/api/v1/rules`).catch(() => undefined);
        if (!response?.ok) return false;
        const body = (await response.json()) as { data: { groups: { rules: Rule[] }[] } };
        const all = body.data.groups.flatMap((group) => group.rules);
        return all.length > 0 && all.every((rule) => Date.parse(rule.lastEvaluation) > since) && all;
      },
      'an evaluation of every rule',
      10_000,
    );
    expect(
      rules.map(({ name, health, state, lastError }) => ({ name, health, state, lastError: lastError ?? '' })),
    ).toEqual(DEPLOYED_ALERT_NAMES.map((name) => ({ name, health: 'ok', state: 'inactive', lastError: '' })));
    // Not vacuous: the rules' own series are there to evaluate (the breaker gauge of the tenant called).
    expect(await query(`wopi_core_app_breaker_state{wopi_tenant="${tenant.slug}"}`)).toEqual([
      expect.objectContaining({ value: [expect.any(Number), '0'] }),
    ]);
  }, 20_000);

  it('answers every dashboard query, and each traffic panel shows the calls', async () => {
    for (const file of readdirSync(path.join(REPO_ROOT, 'deploy/grafana/dashboards'))) {
      const panels = (
        JSON.parse(repoFile(`deploy/grafana/dashboards/${file}`)) as {
          panels: { title: string; targets?: { expr: string }[] }[];
        }
      ).panels;
      for (const panel of panels) {
        for (const target of panel.targets ?? []) {
          // Grafana's variables as Grafana would send them for this tenant.
          const expr = target.expr.replaceAll('$__rate_interval', '1m').replaceAll('$tenant', tenant.slug);
          // A subquery at 1 min resolution has a point only once a minute boundary passed with data.
          if (file !== 'wopi-gateway-traffic.json' || /\[\w+:\w+\]/.test(expr)) {
            await query(expr);
            continue;
          }
          // A rate needs two scrapes of the series since the calls: a second or two.
          const series = await waitFor(
            async () => {
              const result = await query(expr);
              return result && result.length > 0 && result;
            },
            `a series for panel “${panel.title}”`,
            10_000,
          );
          // Each series names what the panel splits by; absent here by design: the country (no header,
          // no database) and the WOPI client (the test tenant has no client profile).
          const splitBy = (/sum by \(([^)]*)\)/.exec(expr)?.[1] ?? '')
            .split(',')
            .map((label) => label.trim())
            .filter((label) => label && !['geo_country_iso_code', 'wopi_client'].includes(label));
          for (const { metric } of series)
            for (const label of splitBy)
              expect({ panel: panel.title, label, value: metric[label] ?? '' }).toEqual({
                panel: panel.title,
                label,
                value: expect.stringMatching(/./),
              });
        }
      }
    }
  }, 20_000);
});
