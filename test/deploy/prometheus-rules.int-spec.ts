import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { parse, stringify } from 'yaml';
import { freePort } from '../support/api-process';
import { waitFor } from '../support/wait-for';
import { DEPLOYED_ALERT_NAMES, ensurePrometheus, ensurePromtool, REPO_ROOT, repoFile } from './deploy-tools';

const run = promisify(execFile);
// Installing Debian's prometheus package on a fresh machine.
const INSTALL_TIMEOUT_MS = 600_000;

describe('Prometheus rules and configuration (promtool from Debian)', () => {
  let promtool: string;
  let scratch: string;

  beforeAll(() => {
    promtool = ensurePromtool();
    scratch = mkdtempSync(path.join(tmpdir(), 'wopi-promtool-'));
  }, INSTALL_TIMEOUT_MS);
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('accepts the alert rules', async () => {
    const { stdout } = await run(promtool, ['check', 'rules', 'deploy/prometheus/alerts.yaml'], { cwd: REPO_ROOT });
    expect(stdout).toContain('SUCCESS: 6 rules found');
  });

  it('passes the alert rules’ unit tests: each alert fires on trouble and stays quiet otherwise', async () => {
    const { stdout } = await run(promtool, ['test', 'rules', 'alerts.test.yaml'], {
      cwd: path.join(REPO_ROOT, 'deploy/prometheus'),
    });
    expect(stdout).toContain('SUCCESS');
  });

  it('parses every dashboard query as PromQL', async () => {
    // Grafana's variables replaced by what Grafana would send, each query checked as a rule.
    const rules = readdirSync(path.join(REPO_ROOT, 'deploy/grafana/dashboards')).flatMap((file) =>
      (
        JSON.parse(repoFile(`deploy/grafana/dashboards/${file}`)) as {
          panels: { id: number; targets: { expr: string; refId: string }[] }[];
        }
      ).panels.flatMap((panel) =>
        panel.targets.map((target) => ({
          record: `dashboard:${file.replace(/\W/g, '_')}:${panel.id}_${target.refId}`,
          expr: target.expr.replaceAll('$__rate_interval', '1m').replaceAll('$tenant', '.*'),
        })),
      ),
    );
    expect(rules.length).toBeGreaterThan(20);
    const file = path.join(scratch, 'dashboards.rules.yaml');
    writeFileSync(file, stringify({ groups: [{ name: 'dashboards', rules }] }));
    const { stdout } = await run(promtool, ['check', 'rules', file]);
    expect(stdout).toContain(`SUCCESS: ${rules.length} rules found`);
  });

  it('accepts the compose file’s Prometheus configuration with its rules', async () => {
    const config = parse(repoFile('deploy/compose/prometheus.yaml')) as { rule_files: string[] };
    config.rule_files = [path.join(REPO_ROOT, 'deploy/prometheus/alerts.yaml')];
    const file = path.join(scratch, 'prometheus.yaml');
    writeFileSync(file, stringify(config));
    const { stdout } = await run(promtool, ['check', 'config', file]);
    expect(stdout).toMatch(/SUCCESS: .*prometheus\.yaml is valid prometheus config file syntax/);
    expect(stdout).toContain('SUCCESS: 6 rules found');
  });

  it('loads the alert rules into a real Prometheus server, which evaluates every one without error', async () => {
    const prometheus = ensurePrometheus();
    const port = await freePort();
    const config = parse(repoFile('deploy/compose/prometheus.yaml')) as Record<string, unknown>;
    // The compose file's settings, with the rules from the repository and an evaluation every second;
    // the one target is the server itself (the gateway's own endpoint is not needed to evaluate rules).
    const file = path.join(scratch, 'server.yaml');
    writeFileSync(
      file,
      stringify({
        ...config,
        global: { scrape_interval: '1s', evaluation_interval: '1s' },
        rule_files: [path.join(REPO_ROOT, 'deploy/prometheus/alerts.yaml')],
        scrape_configs: [{ job_name: 'self', static_configs: [{ targets: [`127.0.0.1:${port}`] }] }],
      }),
    );
    const server = spawn(
      prometheus,
      [
        `--config.file=${file}`,
        `--storage.tsdb.path=${path.join(scratch, 'tsdb')}`,
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let log = '';
    server.stderr!.on('data', (chunk) => (log += chunk));
    const exited = new Promise((resolve) => server.once('exit', resolve));
    try {
      const url = `http://127.0.0.1:${port}`;
      type Rules = { data: { groups: { rules: { name: string; health: string; lastError?: string }[] }[] } };
      const rules = await waitFor(
        async () => {
          if (server.exitCode !== null) throw new Error(`prometheus exited:\n${log}`);
          const response = await fetch(`${url}/api/v1/rules?type=alert`).catch(() => undefined);
          if (!response?.ok) return false;
          const all = ((await response.json()) as Rules).data.groups.flatMap((group) => group.rules);
          return all.length > 0 && all.every((rule) => rule.health !== 'unknown') && all;
        },
        'Prometheus to evaluate the alert rules',
        30_000,
      );
      expect(rules.map(({ name, health, lastError }) => ({ name, health, lastError: lastError ?? '' }))).toEqual(
        DEPLOYED_ALERT_NAMES.map((name) => ({ name, health: 'ok', lastError: '' })),
      );
    } finally {
      server.kill('SIGTERM');
      await exited;
    }
  }, 60_000);
});
