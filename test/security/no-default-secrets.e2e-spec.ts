import { spawn } from 'node:child_process';
import path from 'node:path';
import { baseTestEnv } from '../support/gateway-env';

const SECRETS = ['SECRETS_ENCRYPTION_KEY', 'ACCESS_TOKEN_SIGNING_KEY', 'ACCESS_TOKEN_VERIFICATION_KEYS'];

/** Runs a built process to its exit with the run's environment minus every secret. */
function runWithoutSecrets(app: 'api' | 'worker', nodeEnv: string): Promise<{ code: number | null; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...baseTestEnv(), NODE_ENV: nodeEnv, PORT: '0' };
  for (const name of SECRETS) delete env[name];
  const child = spawn(process.execPath, [path.resolve(__dirname, `../../dist/apps/${app}/src/main.js`)], {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stderr })));
}

// The repository is public: a built-in default secret would let anyone forge access tokens or
// decrypt tenant credentials. No NODE_ENV may bring one back.
describe('a gateway process without configured secrets', () => {
  it.each([
    ['api', 'production', 'SECRETS_ENCRYPTION_KEY, ACCESS_TOKEN_SIGNING_KEY are not set'],
    ['api', 'development', 'SECRETS_ENCRYPTION_KEY, ACCESS_TOKEN_SIGNING_KEY are not set'],
    ['worker', 'production', 'SECRETS_ENCRYPTION_KEY is not set'],
    ['worker', 'test', 'SECRETS_ENCRYPTION_KEY is not set'],
  ] as const)('%s (NODE_ENV=%s) refuses to start with one message', async (app, nodeEnv, names) => {
    const { code, stderr } = await runWithoutSecrets(app, nodeEnv);
    expect(code).toBe(1);
    expect(stderr).toBe(
      `Invalid configuration (1 problem):\n  - ${names}: secrets have no default. ` +
        `Generate each with node -e "console.log(require('crypto').randomBytes(32).toString('base64'))" ` +
        '(npm run demo and the tests generate their own)\n',
    );
  });
});
