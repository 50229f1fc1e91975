import { FastifyPluginAsync } from 'fastify';

/** Liveness for process managers and the e2e harness; deliberately unauthenticated. */
export const healthRoutes: FastifyPluginAsync = async (app) => {
  // HEAD too: some load balancers probe with it.
  app.get('/healthz', { exposeHeadRoute: true }, async () => ({ status: 'ok' }));
};
