import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ApiEnv, WorkerEnv } from '@wopi/tenancy';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { ensureHelm, REPO_ROOT } from './deploy-tools';

const run = promisify(execFile);
const CHART = path.join(REPO_ROOT, 'deploy/helm/wopi-gateway');
// Downloading Helm (about 36 MB) on a fresh machine, then a few renders.
const HELM_TIMEOUT_MS = 240_000;

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  stringData?: Record<string, string>;
}

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef: { name: string; key: string } };
}

/** Values of an operator with an external PostgreSQL, Redis and S3 bucket, and Prometheus Operator. */
const productionValues = {
  config: { publicBaseUrl: 'https://wopi.example.org' },
  externalPostgresql: { url: 'postgresql://wopi:pw@db.internal:5432/wopi_gateway?sslmode=require' },
  externalRedis: { url: 'rediss://cache.internal:6380' },
  secrets: {
    secretsEncryptionKey: Buffer.alloc(32, 9).toString('base64'),
    accessTokenSigningKey: 'a-production-signing-key-of-more-than-32-characters',
  },
  staging: {
    driver: 's3',
    s3: { bucket: 'wopi-staging', region: 'eu-central-1', accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'an-s3-secret' },
  },
  telemetry: { otlpEndpoint: 'http://otel-collector.monitoring:4318', prometheus: { enabled: true } },
  serviceMonitor: { enabled: true },
  prometheusRule: { enabled: true },
  grafanaDashboards: { enabled: true },
  api: { ingress: { enabled: true, host: 'wopi.example.org', tlsSecretName: 'wopi-tls' } },
};

describe('Helm chart deploy/helm/wopi-gateway (real helm)', () => {
  let helm: string;
  let scratch: string;

  beforeAll(() => {
    helm = ensureHelm();
    scratch = mkdtempSync(path.join(tmpdir(), 'wopi-helm-'));
  }, HELM_TIMEOUT_MS);
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  function valuesFile(values: object): string {
    const file = path.join(scratch, `values-${readdirSync(scratch).length}.yaml`);
    writeFileSync(file, stringify(values));
    return file;
  }

  async function template(values: object): Promise<Manifest[]> {
    const { stdout } = await run(helm, ['template', 'gw', CHART, '--namespace', 'wopi', '-f', valuesFile(values)]);
    return parseAllDocuments(stdout)
      .map((doc) => {
        if (doc.errors.length > 0) throw new Error(doc.errors.map((e) => e.message).join('\n'));
        return doc.toJS() as Manifest | null;
      })
      .filter((manifest): manifest is Manifest => manifest !== null);
  }

  async function refusal(values: object): Promise<string> {
    try {
      await run(helm, ['template', 'gw', CHART, '-f', valuesFile(values)]);
    } catch (error) {
      return (error as { stderr: string }).stderr;
    }
    throw new Error('expected helm to refuse these values');
  }

  const find = (manifests: Manifest[], kind: string, name: string): Manifest => {
    const found = manifests.find((m) => m.kind === kind && m.metadata.name === name);
    if (!found)
      throw new Error(`no ${kind} ${name} in ${manifests.map((m) => `${m.kind}/${m.metadata.name}`).join(', ')}`);
    return found;
  };
  const container = (deployment: Manifest) => deployment.spec.template.spec.containers[0];
  const envOf = (deployment: Manifest): Record<string, string | { secret: string; key: string }> =>
    Object.fromEntries(
      container(deployment).env.map((e: EnvVar) => [
        e.name,
        e.valueFrom ? { secret: e.valueFrom.secretKeyRef.name, key: e.valueFrom.secretKeyRef.key } : e.value,
      ]),
    );

  it('passes helm lint --strict with production values', async () => {
    const { stdout } = await run(helm, ['lint', '--strict', CHART, '-f', valuesFile(productionValues)]);
    expect(stdout).toContain('1 chart(s) linted, 0 chart(s) failed');
  });

  it('renders api and worker Deployments, HPAs, PDBs, the migrations hook, Secrets and monitoring', async () => {
    const manifests = await template(productionValues);
    expect(manifests.map((m) => `${m.kind}/${m.metadata.name}`).sort()).toEqual(
      [
        'Deployment/gw-wopi-gateway-api',
        'Deployment/gw-wopi-gateway-worker-converter',
        'Deployment/gw-wopi-gateway-worker-default',
        'HorizontalPodAutoscaler/gw-wopi-gateway-api',
        'HorizontalPodAutoscaler/gw-wopi-gateway-worker-converter',
        'Ingress/gw-wopi-gateway-api',
        'Job/gw-wopi-gateway-migrations',
        'PodDisruptionBudget/gw-wopi-gateway-api',
        'PodDisruptionBudget/gw-wopi-gateway-worker-default',
        'ConfigMap/gw-wopi-gateway-dashboards',
        'PrometheusRule/gw-wopi-gateway',
        'Secret/gw-wopi-gateway-migrations',
        'Secret/gw-wopi-gateway-secrets',
        'Service/gw-wopi-gateway-api',
        'Service/gw-wopi-gateway-worker-converter',
        'Service/gw-wopi-gateway-worker-default',
        'ServiceAccount/gw-wopi-gateway',
        'ServiceMonitor/gw-wopi-gateway',
      ].sort(),
    );
  });

  it('probes the api on /healthz and /readyz, the workers on their health listener', async () => {
    const manifests = await template(productionValues);
    const api = container(find(manifests, 'Deployment', 'gw-wopi-gateway-api'));
    expect(api.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(api.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect(api.ports).toEqual(expect.arrayContaining([{ name: 'http', containerPort: 3000 }]));
    for (const pool of ['default', 'converter']) {
      const deployment = find(manifests, 'Deployment', `gw-wopi-gateway-worker-${pool}`);
      const worker = container(deployment);
      expect(worker.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'health' });
      expect(worker.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'health' });
      const healthPort = worker.ports.find((p: { name: string }) => p.name === 'health').containerPort;
      expect(envOf(deployment).WORKER_HEALTH_PORT).toBe(String(healthPort));
      expect(envOf(deployment).WORKER_HEALTH_HOST).toBe('0.0.0.0');
    }
  });

  it('runs the LibreOffice image only for the conversion pool', async () => {
    const manifests = await template(productionValues);
    const converter = find(manifests, 'Deployment', 'gw-wopi-gateway-worker-converter');
    const lean = find(manifests, 'Deployment', 'gw-wopi-gateway-worker-default');
    expect(container(converter).image).toBe('registry.example.com/wopi-gateway-worker-converter:0.1.0');
    expect(envOf(converter).WORKER_JOBS).toBe('conversion');
    expect(container(lean).image).toBe('registry.example.com/wopi-gateway-worker:0.1.0');
    expect(envOf(lean).WORKER_JOBS).toBe('write-back,housekeeping');
  });

  it('runs every pod as non-root on a read-only root filesystem', async () => {
    const manifests = await template(productionValues);
    const pods = manifests.filter((m) => m.kind === 'Deployment' || m.kind === 'Job').map((m) => m.spec.template.spec);
    expect(pods).toHaveLength(4);
    for (const pod of pods) {
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10001 });
      expect(pod.containers[0].securityContext).toMatchObject({
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
      });
      expect(pod.containers[0].volumeMounts).toEqual(
        expect.arrayContaining([{ name: 'tmp', mountPath: '/var/lib/wopi/tmp' }]),
      );
    }
  });

  it('migrates in a pre-install/pre-upgrade hook with the database URL from a hook Secret', async () => {
    const manifests = await template(productionValues);
    const job = find(manifests, 'Job', 'gw-wopi-gateway-migrations');
    expect(job.metadata.annotations!['helm.sh/hook']).toBe('pre-install,pre-upgrade');
    const secret = find(manifests, 'Secret', 'gw-wopi-gateway-migrations');
    expect(secret.metadata.annotations!['helm.sh/hook']).toBe('pre-install,pre-upgrade');
    expect(Number(secret.metadata.annotations!['helm.sh/hook-weight'])).toBeLessThan(
      Number(job.metadata.annotations!['helm.sh/hook-weight']),
    );
    expect(secret.stringData).toEqual({ DATABASE_URL: productionValues.externalPostgresql.url });
    const migrate = job.spec.template.spec.containers[0];
    expect(migrate.command).toEqual(['node', 'scripts/prisma-migrate.mjs', 'deploy']);
    expect(migrate.image).toBe('registry.example.com/wopi-gateway-api:0.1.0');
    expect(migrate.env).toContainEqual({
      name: 'DATABASE_URL',
      valueFrom: { secretKeyRef: { name: 'gw-wopi-gateway-migrations', key: 'DATABASE_URL' } },
    });
    // The chart's ServiceAccount does not exist yet when a pre-install hook runs.
    expect(job.spec.template.spec.serviceAccountName).toBeUndefined();
  });

  it('passes only variables the processes know, secrets by reference, and no signing key to workers', async () => {
    const manifests = await template(productionValues);
    // Names the s3 and telemetry parts of issue 13 add to the env classes (deploy/README.md); the
    // OTEL_* ones the OpenTelemetry SDK reads itself.
    const external =
      /^(BLOB_STAGING_DRIVER|S3_(BUCKET|REGION|ENDPOINT|FORCE_PATH_STYLE|PREFIX|ACCESS_KEY_ID|SECRET_ACCESS_KEY)|METRICS_(PORT|HOST)|OTEL_RESOURCE_ATTRIBUTES|TMPDIR)$/;
    const api = envOf(find(manifests, 'Deployment', 'gw-wopi-gateway-api'));
    const apiKnown = new Set(Object.keys(new ApiEnv()));
    expect(Object.keys(api).filter((name) => !apiKnown.has(name) && !external.test(name))).toEqual([]);
    expect(api.ACCESS_TOKEN_SIGNING_KEY).toEqual({
      secret: 'gw-wopi-gateway-secrets',
      key: 'ACCESS_TOKEN_SIGNING_KEY',
    });
    expect(api.PUBLIC_BASE_URL).toBe('https://wopi.example.org');
    expect(api.BLOB_STAGING_DRIVER).toBe('s3');
    expect(api.S3_BUCKET).toBe('wopi-staging');
    expect(api.S3_SECRET_ACCESS_KEY).toEqual({ secret: 'gw-wopi-gateway-secrets', key: 'S3_SECRET_ACCESS_KEY' });
    expect(api.METRICS_PORT).toBe('9464');
    const workerKnown = new Set(Object.keys(new WorkerEnv()));
    for (const pool of ['default', 'converter']) {
      const worker = envOf(find(manifests, 'Deployment', `gw-wopi-gateway-worker-${pool}`));
      expect(Object.keys(worker).filter((name) => !workerKnown.has(name) && !external.test(name))).toEqual([]);
      expect(worker.ACCESS_TOKEN_SIGNING_KEY).toBeUndefined();
      expect(worker.DATABASE_URL).toEqual({ secret: 'gw-wopi-gateway-secrets', key: 'DATABASE_URL' });
    }
    const secret = find(manifests, 'Secret', 'gw-wopi-gateway-secrets');
    expect(Object.keys(secret.stringData!).sort()).toEqual(
      [
        'ACCESS_TOKEN_SIGNING_KEY',
        'DATABASE_URL',
        'REDIS_URL',
        'S3_ACCESS_KEY_ID',
        'S3_SECRET_ACCESS_KEY',
        'SECRETS_ENCRYPTION_KEY',
      ].sort(),
    );
  });

  it('selects its own pods in every Service, HPA, PDB and ServiceMonitor', async () => {
    const manifests = await template(productionValues);
    const podLabels = (name: string) => find(manifests, 'Deployment', name).spec.template.metadata.labels;
    for (const deployment of manifests.filter((m) => m.kind === 'Deployment')) {
      expect(deployment.spec.template.metadata.labels).toMatchObject(deployment.spec.selector.matchLabels);
    }
    for (const pdb of manifests.filter((m) => m.kind === 'PodDisruptionBudget'))
      expect(podLabels(pdb.metadata.name)).toMatchObject(pdb.spec.selector.matchLabels);
    for (const hpa of manifests.filter((m) => m.kind === 'HorizontalPodAutoscaler'))
      expect(find(manifests, 'Deployment', hpa.spec.scaleTargetRef.name).kind).toBe('Deployment');
    for (const service of manifests.filter((m) => m.kind === 'Service'))
      expect(podLabels(service.metadata.name)).toMatchObject(service.spec.selector);
    const monitor = find(manifests, 'ServiceMonitor', 'gw-wopi-gateway');
    const scraped = manifests.filter(
      (m) =>
        m.kind === 'Service' &&
        Object.entries(monitor.spec.selector.matchLabels).every(([k, v]) => m.metadata.labels?.[k] === v) &&
        m.spec.ports.some((p: { name: string }) => p.name === 'metrics'),
    );
    expect(scraped).toHaveLength(3);
  });

  it('ships the alert rules in its PrometheusRule', async () => {
    const manifests = await template(productionValues);
    const rule = find(manifests, 'PrometheusRule', 'gw-wopi-gateway');
    expect(rule.spec).toEqual(parse(readFileSync(path.join(REPO_ROOT, 'deploy/prometheus/alerts.yaml'), 'utf8')));
  });

  it('ships the Grafana dashboards for the Grafana sidecar', async () => {
    const manifests = await template(productionValues);
    const dashboards = find(manifests, 'ConfigMap', 'gw-wopi-gateway-dashboards') as Manifest & {
      data: Record<string, string>;
    };
    expect(dashboards.metadata.labels).toMatchObject({ grafana_dashboard: '1' });
    const dir = path.join(REPO_ROOT, 'deploy/grafana/dashboards');
    const files = readdirSync(dir).filter((file) => file.endsWith('.json'));
    expect(Object.keys(dashboards.data).sort()).toEqual(files.sort());
    for (const file of files)
      expect(JSON.parse(dashboards.data[file])).toEqual(JSON.parse(readFileSync(path.join(dir, file), 'utf8')));
  });

  it('uses an existing Secret instead of creating one, for the pods and the migrations', async () => {
    const manifests = await template({
      config: { publicBaseUrl: 'https://wopi.example.org' },
      secrets: { existingSecret: 'wopi-from-vault' },
      staging: { driver: 'local', local: { existingClaim: 'wopi-staging-rwx' } },
    });
    expect(manifests.filter((m) => m.kind === 'Secret')).toEqual([]);
    const api = find(manifests, 'Deployment', 'gw-wopi-gateway-api');
    expect(envOf(api).DATABASE_URL).toEqual({ secret: 'wopi-from-vault', key: 'DATABASE_URL' });
    expect(envOf(api).BLOB_STAGING_DIR).toBe('/var/lib/wopi/staging');
    expect(api.spec.template.spec.volumes).toContainEqual({
      name: 'staging',
      persistentVolumeClaim: { claimName: 'wopi-staging-rwx' },
    });
    const job = find(manifests, 'Job', 'gw-wopi-gateway-migrations');
    expect(job.spec.template.spec.containers[0].env).toContainEqual({
      name: 'DATABASE_URL',
      valueFrom: { secretKeyRef: { name: 'wopi-from-vault', key: 'DATABASE_URL' } },
    });
  });

  it('refuses values its schema forbids and names what is missing', async () => {
    expect(await refusal({ ...productionValues, staging: { driver: 'ftp' } })).toMatch(/staging.*driver|driver.*ftp/s);
    expect(
      await refusal({
        ...productionValues,
        workers: {
          extra: {
            enabled: true,
            image: 'worker',
            jobs: 'thumbnails',
            replicas: 1,
            healthPort: 8081,
            terminationGracePeriodSeconds: 30,
            autoscaling: { enabled: false, minReplicas: 1, maxReplicas: 1, targetCPUUtilizationPercentage: 50 },
            podDisruptionBudget: { enabled: false, minAvailable: 1 },
          },
        },
      }),
    ).toMatch(/jobs/);
    expect(await refusal({ ...productionValues, externalRedis: { url: '' } })).toContain(
      'externalRedis.url is required',
    );
    expect(
      await refusal({
        ...productionValues,
        telemetry: { otlpEndpoint: '', prometheus: { enabled: false, port: 9464 } },
      }),
    ).toContain('serviceMonitor.enabled needs telemetry.prometheus.enabled');
  });
});
