import { existsSync } from 'node:fs';
import path from 'node:path';
import { ApiEnv, DemoSeedEnv, loadEnv, WorkerEnv } from '@wopi/tenancy';
import { parse } from 'yaml';
import { loadDemoCoreConfig } from '../../apps/demo-core/src/config/demo-core.env';
import { REPO_ROOT, repoFile } from './deploy-tools';

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string; target: string };
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  network_mode?: string;
  restart?: string;
}

const composeDir = path.join(REPO_ROOT, 'deploy');
const compose = parse(repoFile('deploy/compose.yaml'), { merge: true }) as {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
};
const services = compose.services;

/** Compose's `${NAME:-default}` interpolation, as it happens with nothing set in the environment. */
function interpolated(environment: Record<string, string> = {}): Record<string, string> {
  return Object.fromEntries(
    Object.entries(environment).map(([key, value]) => [
      key,
      String(value).replace(/\$\{(\w+)(?::-([^}]*))?\}/g, (_, name: string, fallback?: string) => {
        if (fallback === undefined) throw new Error(`${key}: \${${name}} has no default`);
        return fallback;
      }),
    ]),
  );
}
const ONE_SHOT = ['migrate', 'seed'];

describe('deploy/compose.yaml', () => {
  it('runs the gateway, its dependencies, a real editor and the observability stack', () => {
    expect(Object.keys(services).sort()).toEqual(
      [
        'api',
        'collabora',
        'demo-core',
        'grafana',
        'migrate',
        'otel-collector',
        'postgres',
        'prometheus',
        'redis',
        'seed',
        'worker',
        'worker-converter',
      ].sort(),
    );
  });

  it('waits only on services that exist, with a condition each of them can reach', () => {
    const dependencies = Object.entries(services).flatMap(([name, service]) =>
      Object.entries(service.depends_on ?? {}).map(([dependency, { condition }]) => ({
        name,
        dependency,
        condition,
        target: services[dependency],
      })),
    );
    expect(dependencies.filter((d) => d.target === undefined)).toEqual([]);
    const unreachable = dependencies.filter(
      ({ condition, dependency, target }) =>
        !(
          condition === 'service_started' ||
          (condition === 'service_healthy' && target.healthcheck !== undefined) ||
          (condition === 'service_completed_successfully' && ONE_SHOT.includes(dependency))
        ),
    );
    expect(unreachable.map(({ name, dependency, condition }) => ({ name, dependency, condition }))).toEqual([]);
  });

  it('has a health check on every long-running service, and runs the one-shot jobs once', () => {
    const shape = Object.entries(services).map(([name, service]) => ({
      name,
      oneShot: service.restart === 'no',
      healthcheck: Array.isArray(service.healthcheck?.test),
    }));
    expect(shape).toEqual(
      Object.keys(services).map((name) => ({
        name,
        oneShot: ONE_SHOT.includes(name),
        healthcheck: !ONE_SHOT.includes(name),
      })),
    );
  });

  it('migrates once, before anything that uses the database starts', () => {
    expect(services.migrate.command).toEqual(['node', 'scripts/prisma-migrate.mjs', 'deploy']);
    for (const name of ['api', 'worker', 'worker-converter', 'demo-core', 'seed'])
      expect({ name, condition: services[name].depends_on?.migrate?.condition }).toEqual({
        name,
        condition: 'service_completed_successfully',
      });
  });

  it('publishes each host port once, and Collabora on the api whose network it shares', () => {
    const published = Object.values(services).flatMap((s) => (s.ports ?? []).map((p) => p.split(':')[0]));
    expect(new Set(published).size).toBe(published.length);
    expect(services.collabora.network_mode).toBe('service:api');
    expect(services.collabora.ports).toBeUndefined();
    expect(services.api.ports).toEqual(expect.arrayContaining(['3000:3000', '9980:9980']));
    expect(interpolated(services.collabora.environment).aliasgroup1).toBe(
      interpolated(services.api.environment).PUBLIC_BASE_URL,
    );
    expect(interpolated(services.seed.environment).DEMO_COLLABORA_DISCOVERY_URL).toBe(
      'http://localhost:9980/hosting/discovery',
    );
  });

  it('builds the gateway images from the Dockerfile targets, LibreOffice only for the converter', () => {
    const dockerfile = repoFile('deploy/Dockerfile');
    for (const [name, target] of Object.entries({
      api: 'api',
      worker: 'worker',
      'worker-converter': 'worker-converter',
    })) {
      expect(services[name].build).toEqual({ context: '..', dockerfile: 'deploy/Dockerfile', target });
      expect(dockerfile).toMatch(new RegExp(`^FROM \\S+ AS ${target}$`, 'm'));
    }
    expect(interpolated(services.worker.environment).WORKER_JOBS).toBe('write-back,housekeeping');
    expect(interpolated(services['worker-converter'].environment).WORKER_JOBS).toBe('conversion');
  });

  it('gives the api and workers a configuration their own validation accepts in production', () => {
    const known = new Set([...Object.keys(new ApiEnv()), ...Object.keys(new WorkerEnv())]);
    const api = interpolated(services.api.environment);
    expect(Object.keys(api).filter((key) => !known.has(key))).toEqual([]);
    expect(loadEnv(ApiEnv, api).NODE_ENV).toBe('production');
    for (const name of ['worker', 'worker-converter']) {
      const env = interpolated(services[name].environment);
      expect(Object.keys(env).filter((key) => !known.has(key))).toEqual([]);
      expect(loadEnv(WorkerEnv, env).WORKER_HEALTH_PORT).toBe(8081);
    }
    expect(loadEnv(DemoSeedEnv, interpolated(services.seed.environment)).DEMO_CORE_URL).toBe(
      'http://demo-core:3100/core/v1',
    );
    expect(() => loadDemoCoreConfig(interpolated(services['demo-core'].environment))).not.toThrow();
  });

  it('shares one staging volume between the api and every worker', () => {
    const staging = (name: string) => (services[name].volumes ?? []).find((v) => v.startsWith('staging:'));
    for (const name of ['api', 'worker', 'worker-converter'])
      expect({ name, volume: staging(name) }).toEqual({ name, volume: 'staging:/var/lib/wopi/staging' });
    expect(Object.keys(compose.volumes)).toContain('staging');
  });

  it('mounts configuration files that exist', () => {
    const mounts = Object.values(services).flatMap((s) => (s.volumes ?? []).filter((v) => v.startsWith('./')));
    expect(mounts.length).toBeGreaterThanOrEqual(5);
    for (const mount of mounts) {
      const source = mount.split(':')[0];
      expect({ source, exists: existsSync(path.join(composeDir, source)) }).toEqual({ source, exists: true });
    }
  });
});

describe('the observability stack of the compose file', () => {
  const collector = parse(repoFile('deploy/compose/otel-collector.yaml')) as {
    receivers: Record<string, unknown>;
    processors: Record<string, unknown>;
    exporters: Record<string, { endpoint?: string }>;
    service: { pipelines: Record<string, { receivers: string[]; processors: string[]; exporters: string[] }> };
  };
  const prometheus = parse(repoFile('deploy/compose/prometheus.yaml')) as {
    rule_files: string[];
    scrape_configs: { static_configs: { targets: string[] }[] }[];
  };

  it('wires every collector pipeline to components it defines, metrics to a Prometheus exporter', () => {
    for (const pipeline of Object.values(collector.service.pipelines)) {
      for (const receiver of pipeline.receivers) expect(collector.receivers).toHaveProperty([receiver]);
      for (const processor of pipeline.processors) expect(collector.processors).toHaveProperty([processor]);
      for (const exporter of pipeline.exporters) expect(collector.exporters).toHaveProperty([exporter]);
    }
    expect(collector.service.pipelines.metrics.exporters).toContain('prometheus');
  });

  it('has Prometheus scrape the collector where it exports, and load the alert rules', () => {
    const exporterPort = collector.exporters.prometheus.endpoint!.split(':')[1];
    const targets = prometheus.scrape_configs.flatMap((c) => c.static_configs.flatMap((s) => s.targets));
    expect(targets).toContain(`otel-collector:${exporterPort}`);
    const rulesMount = services.prometheus.volumes!.find((v) => v.startsWith('./prometheus/alerts.yaml:'))!;
    const mountedAt = rulesMount.split(':')[1];
    const globToRegExp = (glob: string) => new RegExp(`^${glob.replace(/[.]/g, '\\.').replace(/\*/g, '[^/]*')}$`);
    expect(prometheus.rule_files.some((glob) => globToRegExp(glob).test(mountedAt))).toBe(true);
    expect(interpolated(services.api.environment).OTEL_EXPORTER_OTLP_ENDPOINT).toBe('http://otel-collector:4318');
  });

  it('provisions Grafana with the Prometheus data source and the dashboards folder it mounts', () => {
    const datasources = parse(repoFile('deploy/grafana/provisioning/datasources/prometheus.yaml')) as {
      datasources: { type: string; url: string }[];
    };
    expect(datasources.datasources).toEqual([
      expect.objectContaining({ type: 'prometheus', url: 'http://prometheus:9090' }),
    ]);
    const providers = parse(repoFile('deploy/grafana/provisioning/dashboards/wopi-gateway.yaml')) as {
      providers: { options: { path: string } }[];
    };
    const dashboardsMount = services.grafana.volumes!.find((v) => v.startsWith('./grafana/dashboards:'))!;
    expect(dashboardsMount.split(':')[1]).toBe(providers.providers[0].options.path);
  });
});
