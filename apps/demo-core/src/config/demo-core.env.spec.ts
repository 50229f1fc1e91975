import { resolve } from 'node:path';
import { DemoCoreEnvError, loadDemoCoreConfig } from './demo-core.env';

function problemsOf(source: NodeJS.ProcessEnv): readonly string[] {
  try {
    loadDemoCoreConfig(source);
  } catch (error) {
    if (error instanceof DemoCoreEnvError) return error.problems;
    throw error;
  }
  throw new Error('expected the environment to be rejected');
}

describe('loadDemoCoreConfig', () => {
  it('applies the documented defaults outside production', () => {
    const { config } = loadDemoCoreConfig({});
    expect(config).toEqual({
      host: '127.0.0.1',
      port: 3100,
      dataDir: resolve('.local/demo-core'),
      apiSecret: 'demo-core-local-secret',
      faultsEnabled: false,
      maxUploadBytes: 5 * 1024 ** 3,
      logLevel: 'info',
    });
  });

  it('reads every variable', () => {
    const { config } = loadDemoCoreConfig({
      DEMO_CORE_PORT: '4100',
      DEMO_CORE_HOST: '0.0.0.0',
      DEMO_CORE_DATA_DIR: '/var/lib/demo-core',
      DEMO_CORE_API_SECRET: 'a-long-enough-secret',
      DEMO_CORE_API_SECRET_PREVIOUS: 'the-previous-long-secret',
      DEMO_CORE_PUBLIC_URL: 'https://demo-core.example/',
      DEMO_CORE_FAULTS: 'enabled',
      DEMO_CORE_MAX_UPLOAD_BYTES: '1048576',
      DEMO_CORE_LOG_LEVEL: 'warn',
    });
    expect(config).toEqual({
      host: '0.0.0.0',
      port: 4100,
      dataDir: '/var/lib/demo-core',
      apiSecret: 'a-long-enough-secret',
      previousApiSecret: 'the-previous-long-secret',
      publicUrl: 'https://demo-core.example',
      faultsEnabled: true,
      maxUploadBytes: 1048576,
      logLevel: 'warn',
    });
  });

  it('reads the gateway the pages open documents through, both variables or neither, the key masked', () => {
    const { config, loggable } = loadDemoCoreConfig({
      DEMO_CORE_GATEWAY_URL: 'http://127.0.0.1:3000/',
      DEMO_CORE_GATEWAY_SESSION_API_KEY: 'wgk_abc_secretpart',
    });
    expect(config.gateway).toEqual({ url: 'http://127.0.0.1:3000', sessionApiKey: 'wgk_abc_secretpart' });
    expect(loggable.DEMO_CORE_GATEWAY_SESSION_API_KEY).toBe('[redacted]');
    const problems = problemsOf({ DEMO_CORE_GATEWAY_SESSION_API_KEY: 'wgk_abc_secretpart' });
    expect(problems).toEqual(['DEMO_CORE_GATEWAY_URL and DEMO_CORE_GATEWAY_SESSION_API_KEY must be set together']);
    expect(problems.join(' ')).not.toContain('secretpart');
  });

  it('treats empty variables as unset', () => {
    expect(loadDemoCoreConfig({ DEMO_CORE_PORT: '', DEMO_CORE_API_SECRET: '' }).config.port).toBe(3100);
  });

  it('requires the secret in production', () => {
    const problems = problemsOf({ NODE_ENV: 'production' });
    expect(problems).toEqual([expect.stringMatching(/^DEMO_CORE_API_SECRET is required.*\(not set\)$/)]);
  });

  it('lists every bad variable at once and never echoes the secrets', () => {
    const problems = problemsOf({
      DEMO_CORE_PORT: '70000',
      DEMO_CORE_MAX_UPLOAD_BYTES: '1e3',
      DEMO_CORE_API_SECRET: 'short',
      DEMO_CORE_API_SECRET_PREVIOUS: 'tiny',
      DEMO_CORE_PUBLIC_URL: 'demo-core.example',
      DEMO_CORE_FAULTS: 'yes',
      DEMO_CORE_LOG_LEVEL: 'loud',
    });
    expect(problems).toHaveLength(7);
    expect(problems.join('\n')).toMatch(/DEMO_CORE_PUBLIC_URL must be a URL address \(got "demo-core.example"\)/);
    expect(problems.join('\n')).toMatch(/DEMO_CORE_FAULTS must be one of the following values: enabled, disabled/);
    expect(problems.join('\n')).toMatch(/DEMO_CORE_API_SECRET_PREVIOUS must be longer .*\(value hidden\)/);
    expect(problems.join('\n')).not.toContain('tiny');
    expect(problems.join('\n')).toMatch(/DEMO_CORE_PORT must not be greater than 65535 \(got "70000"\)/);
    expect(problems.join('\n')).toMatch(/DEMO_CORE_MAX_UPLOAD_BYTES must be an integer number \(got "1e3"\)/);
    expect(problems.join('\n')).toMatch(/DEMO_CORE_LOG_LEVEL must be one of/);
    expect(problems.join('\n')).toMatch(/DEMO_CORE_API_SECRET must be longer .*\(value hidden\)/);
    expect(problems.join('\n')).not.toContain('short');
  });

  it('masks sensitive values in the loggable view', () => {
    const { loggable } = loadDemoCoreConfig({
      DEMO_CORE_API_SECRET: 'a-long-enough-secret',
      DEMO_CORE_API_SECRET_PREVIOUS: 'the-previous-long-secret',
    });
    expect(loggable.DEMO_CORE_API_SECRET).toBe('[redacted]');
    expect(loggable.DEMO_CORE_API_SECRET_PREVIOUS).toBe('[redacted]');
    expect(JSON.stringify(loggable)).not.toContain('the-previous-long-secret');
    expect(JSON.stringify(loggable)).not.toContain('a-long-enough-secret');
    expect(loggable.DEMO_CORE_PORT).toBe(3100);
  });
});
