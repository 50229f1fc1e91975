import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { parse, stringify } from 'yaml';
import { ensurePromtool, REPO_ROOT, repoFile } from './deploy-tools';

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
});
