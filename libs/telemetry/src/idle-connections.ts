import type { Server } from 'node:http';

/** The part of a Fastify instance this needs (api and demo-core each have one). */
export interface ClosingHttpServer {
  server: Server;
  addHook(name: 'preClose', hook: () => Promise<void>): unknown;
}

const SWEEP_INTERVAL_MS = 100;

/**
 * At close, Node ends the keep-alive connections that are idle at that moment, and no others:
 * one whose response was still going out falls idle a moment later and then stays open until its
 * keep-alive timeout (72 s in Fastify), holding the shutdown up past its grace period. This ends
 * each such connection as soon as it falls idle; requests in flight still finish.
 */
export function closeConnectionsOnceIdle(app: ClosingHttpServer): void {
  app.addHook('preClose', async () => {
    const sweep = setInterval(() => app.server.closeIdleConnections(), SWEEP_INTERVAL_MS).unref();
    app.server.once('close', () => clearInterval(sweep));
  });
}
