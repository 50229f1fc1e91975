import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';

/** A stand-in OTLP/HTTP collector on loopback that records what it was sent, as "METHOD path". */
export interface OtlpCapture {
  url: string;
  received: string[];
  close(): Promise<void>;
}

export async function startOtlpCapture(): Promise<OtlpCapture> {
  const received: string[] = [];
  const server: Server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      received.push(`${request.method} ${request.url}`);
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/**
 * Runs emit-one-of-each.cjs (telemetry from the build) in a child process with `env` added to
 * this one's, and resolves once it has flushed and exited.
 */
export async function emitOneOfEachInChild(endpoint: string | undefined, env: Record<string, string> = {}) {
  const script = path.join(__dirname, 'emit-one-of-each.cjs');
  const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('OTEL_')));
  await promisify(execFile)(process.execPath, endpoint ? [script, endpoint] : [script], {
    env: { ...cleanEnv, ...env },
    timeout: 30_000,
  });
}
