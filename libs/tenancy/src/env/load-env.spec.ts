import { ApiEnv, DemoSeedEnv, NODE_ENVS, WorkerEnv } from './runtime.env';
import { describeEnv, EnvValidationError, loadEnv } from './load-env';

// Secrets of this file only: the gateway has none built in.
const SECRETS = {
  SECRETS_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
  ACCESS_TOKEN_SIGNING_KEY: 'k'.repeat(43),
};

function problemsOf(
  source: NodeJS.ProcessEnv,
  envClass: new () => object = ApiEnv,
  secrets: object = SECRETS,
): string[] {
  try {
    loadEnv(envClass, { ...secrets, ...source });
  } catch (error) {
    if (error instanceof EnvValidationError) return error.problems;
    throw error;
  }
  throw new Error('expected the configuration to be refused');
}

describe('loadEnv', () => {
  it('starts on local defaults when only the secrets are set', () => {
    const env = loadEnv(ApiEnv, SECRETS);
    expect(env.PORT).toBe(3000);
    expect(env.PUBLIC_BASE_URL).toBe('http://127.0.0.1:3000');
    expect(env.ACCESS_TOKEN_SIGNING_KEY).toBe(SECRETS.ACCESS_TOKEN_SIGNING_KEY);
    expect(env.ACCESS_TOKEN_VERIFICATION_KEYS).toEqual([]);
  });

  it.each(NODE_ENVS)('refuses to start without secrets, with one line naming them all (NODE_ENV=%s)', (nodeEnv) => {
    for (const envClass of [ApiEnv, WorkerEnv]) {
      const problems = problemsOf({ NODE_ENV: nodeEnv }, envClass, {});
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(
        /^SECRETS_ENCRYPTION_KEY(, ACCESS_TOKEN_SIGNING_KEY)? (is|are) not set: secrets have no default/,
      );
      expect(problems[0].includes('ACCESS_TOKEN_SIGNING_KEY')).toBe(envClass === ApiEnv);
      expect(problems[0]).toContain("randomBytes(32).toString('base64')");
    }
    // An empty value is as unset as a missing one (a blank line in an env file).
    expect(problemsOf({ ACCESS_TOKEN_SIGNING_KEY: '' })[0]).toMatch(/^ACCESS_TOKEN_SIGNING_KEY is not set/);
    // Other problems are still listed in the same message.
    expect(problemsOf({ PORT: 'x' }, ApiEnv, {})).toHaveLength(2);
  });

  it('has no default for the demo seed secrets either', () => {
    expect(problemsOf({}, DemoSeedEnv, {})).toEqual([
      expect.stringMatching(
        /^SECRETS_ENCRYPTION_KEY, DEMO_CORE_API_SECRET, DEMO_SESSION_API_KEY are not set: secrets have no default/,
      ),
    ]);
  });

  it('reads a comma-separated list of verification keys, each long enough', () => {
    const keys = ['a'.repeat(32), 'b'.repeat(40)];
    expect(
      loadEnv(ApiEnv, { ...SECRETS, ACCESS_TOKEN_VERIFICATION_KEYS: ` ${keys[0]} , ${keys[1]}` })
        .ACCESS_TOKEN_VERIFICATION_KEYS,
    ).toEqual(keys);
    const short = problemsOf({ ACCESS_TOKEN_VERIFICATION_KEYS: `${keys[0]},short-old-key` });
    expect(short).toEqual([
      'ACCESS_TOKEN_VERIFICATION_KEYS=***: ACCESS_TOKEN_VERIFICATION_KEYS must each be at least 32 characters',
    ]);
  });

  it('parses numbers and strips a trailing slash from the public URL', () => {
    const env = loadEnv(ApiEnv, {
      ...SECRETS,
      PORT: '8080',
      PUBLIC_BASE_URL: 'https://wopi.example.com/',
      TRUST_PROXY: 'true',
    });
    expect(env.PORT).toBe(8080);
    expect(env.PUBLIC_BASE_URL).toBe('https://wopi.example.com');
    expect(env.TRUST_PROXY).toBe(true);
  });

  it('names a non-numeric PORT', () => {
    expect(problemsOf({ PORT: 'abc' })).toEqual(['PORT="abc": PORT must be an integer between 0 and 65535']);
  });

  it('lists every bad variable in one error, one line each', () => {
    const problems = problemsOf({
      PORT: 'abc',
      LOG_LEVEL: 'loud',
      REDIS_URL: 'localhost:6379',
      DATABASE_URL: 'mysql://x',
    });
    expect(problems).toHaveLength(4);
    expect(problems.map((p) => p.split('=')[0]).sort()).toEqual(['DATABASE_URL', 'LOG_LEVEL', 'PORT', 'REDIS_URL']);
  });

  it('never prints a secret value', () => {
    const short = problemsOf({ ACCESS_TOKEN_SIGNING_KEY: 'too-short-secret' });
    expect(short.join('\n')).not.toContain('too-short-secret');
    expect(short[0]).toContain('ACCESS_TOKEN_SIGNING_KEY=***');
  });

  it('accepts production with real secrets', () => {
    const env = loadEnv(ApiEnv, { ...SECRETS, NODE_ENV: 'production' });
    expect(env.NODE_ENV).toBe('production');
  });

  it('gives a worker every kind of job unless WORKER_JOBS narrows it', () => {
    expect(loadEnv(WorkerEnv, SECRETS).WORKER_JOBS).toEqual(['write-back', 'conversion', 'housekeeping']);
    expect(loadEnv(WorkerEnv, { ...SECRETS, WORKER_JOBS: ' conversion, housekeeping ' }).WORKER_JOBS).toEqual([
      'conversion',
      'housekeeping',
    ]);
  });

  it('names an unknown or empty WORKER_JOBS', () => {
    expect(problemsOf({ WORKER_JOBS: 'write-back,thumbnails' }, WorkerEnv)).toEqual([
      'WORKER_JOBS="write-back,thumbnails": WORKER_JOBS may only name write-back, conversion, housekeeping (comma-separated)',
    ]);
    expect(problemsOf({ WORKER_JOBS: ' , ' }, WorkerEnv)).toEqual([
      'WORKER_JOBS=" , ": WORKER_JOBS must name at least one of write-back, conversion, housekeeping',
    ]);
  });

  it('opens the worker health listener only when WORKER_HEALTH_PORT is set', () => {
    expect(loadEnv(WorkerEnv, SECRETS).WORKER_HEALTH_PORT).toBeUndefined();
    expect(loadEnv(WorkerEnv, { ...SECRETS, WORKER_HEALTH_PORT: '' }).WORKER_HEALTH_PORT).toBeUndefined();
    expect(loadEnv(WorkerEnv, { ...SECRETS, WORKER_HEALTH_PORT: '8081' }).WORKER_HEALTH_PORT).toBe(8081);
    expect(problemsOf({ WORKER_HEALTH_PORT: 'http' }, WorkerEnv)).toEqual([
      'WORKER_HEALTH_PORT="http": WORKER_HEALTH_PORT must be an integer between 0 and 65535',
    ]);
  });

  it('masks secrets when the configuration is described for the log', () => {
    const described = describeEnv(loadEnv(WorkerEnv, { ...SECRETS, REDIS_URL: 'redis://cache:6379' }));
    expect(described.SECRETS_ENCRYPTION_KEY).toBe('***');
    expect(described.REDIS_URL).toBe('redis://cache:6379');
  });

  it('selects S3 staging: needs a bucket and a secret with a key id, and masks the secret', () => {
    expect(loadEnv(WorkerEnv, SECRETS).BLOB_STAGING_DRIVER).toBe('local');
    expect(problemsOf({ BLOB_STAGING_DRIVER: 's3' }, WorkerEnv)).toEqual([
      'S3_BUCKET=(unset): S3_BUCKET is required when BLOB_STAGING_DRIVER=s3',
    ]);
    expect(
      problemsOf({ BLOB_STAGING_DRIVER: 'gcs', S3_FORCE_PATH_STYLE: 'yes', S3_ACCESS_KEY_ID: 'AKIA1' }),
    ).toHaveLength(3);
    const env = loadEnv(ApiEnv, {
      ...SECRETS,
      BLOB_STAGING_DRIVER: 's3',
      S3_BUCKET: 'staging',
      S3_ENDPOINT: 'http://minio.internal:9000',
      S3_ACCESS_KEY_ID: 'AKIA1',
      S3_SECRET_ACCESS_KEY: 'the-secret',
      S3_FORCE_PATH_STYLE: 'true',
    });
    expect(env).toMatchObject({ S3_BUCKET: 'staging', S3_FORCE_PATH_STYLE: true, S3_PREFIX: 'wopi-staging/' });
    expect(describeEnv(env).S3_SECRET_ACCESS_KEY).toBe('***');
  });
});
