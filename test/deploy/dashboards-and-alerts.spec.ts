import { readdirSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT, repoFile } from './deploy-tools';
import { COMMON_LABELS, labelNamesIn, METRIC_SERIES, metricNamesIn } from './metric-catalogue';

interface Panel {
  id: number;
  title: string;
  type: string;
  gridPos: { x: number; y: number; w: number; h: number };
  targets: { expr: string; refId: string }[];
}
interface Dashboard {
  uid: string;
  title: string;
  panels: Panel[];
  templating: { list: { name: string; query?: unknown }[] };
}

const dashboardsDir = path.join(REPO_ROOT, 'deploy/grafana/dashboards');
const dashboards = readdirSync(dashboardsDir)
  .filter((file) => file.endsWith('.json'))
  .map((file) => ({ file, dashboard: JSON.parse(repoFile(`deploy/grafana/dashboards/${file}`)) as Dashboard }));

interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels: { severity: string };
  annotations: { summary: string; runbook: string };
}
const alertRules = (
  parse(repoFile('deploy/prometheus/alerts.yaml')) as { groups: { rules: AlertRule[] }[] }
).groups.flatMap((group) => group.rules);

/** Every metric and label an expression uses is one the gateway exports. */
function unknownNamesIn(expr: string): string[] {
  const metrics = metricNamesIn(expr);
  const unknownMetrics = metrics.filter((metric) => !(metric in METRIC_SERIES));
  const allowedLabels = new Set([...COMMON_LABELS, ...metrics.flatMap((metric) => METRIC_SERIES[metric] ?? [])]);
  const unknownLabels = labelNamesIn(expr).filter((label) => !allowedLabels.has(label));
  return [...unknownMetrics, ...unknownLabels.map((label) => `label ${label}`)];
}

describe('Grafana dashboards', () => {
  it('are valid JSON with distinct uids, one for traffic and one for operations', () => {
    expect(dashboards.map((d) => d.dashboard.uid).sort()).toEqual(['wopi-gateway-operations', 'wopi-gateway-traffic']);
  });

  it.each(dashboards.map((d) => [d.file, d.dashboard] as const))(
    '%s: every panel queries known metrics with their own labels',
    (_file, dashboard) => {
      expect(new Set(dashboard.panels.map((p) => p.id)).size).toBe(dashboard.panels.length);
      for (const panel of dashboard.panels) {
        expect(panel.targets.length).toBeGreaterThan(0);
        for (const { expr } of panel.targets) {
          expect({ panel: panel.title, metrics: metricNamesIn(expr).length > 0 }).toEqual({
            panel: panel.title,
            metrics: true,
          });
          expect({ panel: panel.title, expr, unknown: unknownNamesIn(expr) }).toEqual({
            panel: panel.title,
            expr,
            unknown: [],
          });
        }
      }
    },
  );

  it('show the traffic Microsoft asks for: view/edit, file type, tenant and country', () => {
    const traffic = dashboards.find((d) => d.dashboard.uid === 'wopi-gateway-traffic')!.dashboard;
    const grouped = traffic.panels.flatMap((p) => p.targets.flatMap((t) => labelNamesIn(t.expr)));
    for (const label of ['wopi_access', 'wopi_file_extension', 'wopi_tenant', 'geo_country_iso_code'])
      expect(grouped).toContain(label);
  });

  it('show latency per operation, lock conflicts, core-app health and write-back lag', () => {
    const operations = dashboards.find((d) => d.dashboard.uid === 'wopi-gateway-operations')!.dashboard;
    const metrics = operations.panels.flatMap((p) => p.targets.flatMap((t) => metricNamesIn(t.expr)));
    for (const metric of [
      'wopi_request_duration_seconds_bucket',
      'wopi_lock_conflicts_total',
      'wopi_core_app_request_duration_seconds_bucket',
      'wopi_core_app_breaker_state',
      'wopi_write_back_lag_seconds_bucket',
      'wopi_write_back_oldest_pending_age_seconds',
    ])
      expect(metrics).toContain(metric);
  });

  it('ship in the Helm chart unchanged', () => {
    for (const { file } of dashboards)
      expect(repoFile(`deploy/helm/wopi-gateway/files/dashboards/${file}`)).toBe(
        repoFile(`deploy/grafana/dashboards/${file}`),
      );
  });

  it('lay out panels without overlapping them on the 24-column grid', () => {
    for (const { dashboard } of dashboards) {
      const cells = new Set<string>();
      for (const { gridPos, title } of dashboard.panels) {
        expect({ title, fits: gridPos.x + gridPos.w <= 24 }).toEqual({ title, fits: true });
        for (let x = gridPos.x; x < gridPos.x + gridPos.w; x += 1)
          for (let y = gridPos.y; y < gridPos.y + gridPos.h; y += 1) {
            expect({ title, cell: `${x},${y}`, free: !cells.has(`${x},${y}`) }).toEqual({
              title,
              cell: `${x},${y}`,
              free: true,
            });
            cells.add(`${x},${y}`);
          }
      }
    }
  });
});

describe('Prometheus alert rules', () => {
  it('alert on error rate, open breakers, write-back lag and failed jobs', () => {
    expect(alertRules.map((r) => r.alert)).toEqual(
      expect.arrayContaining([
        'WopiHighErrorRate',
        'WopiCoreAppBreakerOpen',
        'WopiWriteBackLagging',
        'WopiWriteBackFailed',
      ]),
    );
  });

  it.each(alertRules.map((rule) => [rule.alert, rule] as const))(
    '%s uses known metrics and links a runbook section that exists',
    (_name, rule) => {
      expect(unknownNamesIn(rule.expr)).toEqual([]);
      expect(['page', 'warning']).toContain(rule.labels.severity);
      const [file, anchor] = rule.annotations.runbook.split('#');
      expect(file).toBe('docs/operations.md');
      const headings = [...repoFile(file).matchAll(/^#+\s+(.+)$/gm)].map((m) =>
        m[1]
          .toLowerCase()
          .replace(/[^a-z0-9 -]/g, '')
          .replace(/ /g, '-'),
      );
      expect(headings).toContain(anchor);
    },
  );

  it('ship in the Helm chart unchanged', () => {
    expect(repoFile('deploy/helm/wopi-gateway/files/alerts.yaml')).toBe(repoFile('deploy/prometheus/alerts.yaml'));
  });
});

describe('deploy/README.md', () => {
  it('lists every metric series the dashboards and alerts may use', () => {
    const readme = repoFile('deploy/README.md');
    const families = new Set(Object.keys(METRIC_SERIES).map((series) => series.replace(/_(bucket|count|sum)$/, '')));
    for (const family of families)
      expect({ family, listed: readme.includes(family) }).toEqual({ family, listed: true });
  });
});
