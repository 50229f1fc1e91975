import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { signRequest } from '@wopi/core-app-client';

export interface DemoCoreProcess {
  baseUrl: string;
  credential: string;
  pid: number;
  signedFetch(method: string, pathWithQuery: string, body?: object): Promise<Response>;
  refOf(name: string): Promise<string>;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * demo-core as its own process from the build (so a test can stop and restart it on the same port
 * and data directory), with the /_control test switches on.
 */
export async function startDemoCoreProcess(options: {
  port: number;
  dataDir: string;
  credential: string;
}): Promise<DemoCoreProcess> {
  const child: ChildProcess = spawn(
    process.execPath,
    [path.resolve(__dirname, '../../dist/apps/demo-core/src/main.js')],
    {
      env: {
        ...process.env,
        DEMO_CORE_PORT: String(options.port),
        DEMO_CORE_HOST: '127.0.0.1',
        DEMO_CORE_DATA_DIR: options.dataDir,
        DEMO_CORE_API_SECRET: options.credential,
        DEMO_CORE_FAULTS: 'enabled',
        DEMO_CORE_LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const root = `http://127.0.0.1:${options.port}`;
  const deadline = Date.now() + 20_000;
  while (
    !(await fetch(`${root}/healthz`).then(
      (r) => r.ok,
      () => false,
    ))
  ) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`demo-core did not start:\n${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const signedFetch = (method: string, pathWithQuery: string, body?: object) => {
    const bytes = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers: Record<string, string> = signRequest(options.credential, {
      method,
      pathWithQuery,
      contentSha256: createHash('sha256')
        .update(bytes ?? Buffer.alloc(0))
        .digest('hex'),
      timestampMs: Date.now(),
    });
    if (bytes) headers['content-type'] = 'application/json';
    return fetch(`${root}${pathWithQuery}`, { method, headers, body: bytes });
  };
  return {
    baseUrl: `${root}/core/v1`,
    credential: options.credential,
    pid: child.pid!,
    signedFetch,
    async refOf(name) {
      const { files } = (await (await signedFetch('GET', '/core/v1/files')).json()) as {
        files: { ref: string; name: string }[];
      };
      const file = files.find((f) => f.name === name);
      if (!file) throw new Error(`no ${name} in demo-core`);
      return file.ref;
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}
