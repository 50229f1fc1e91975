#!/usr/bin/env node
'use strict';
/**
 * The images' HEALTHCHECK (node:slim has no curl): GET /readyz of this container's api or worker
 * health listener, on the port its own environment configures. Exit 0 when ready, 1 otherwise.
 *   node healthcheck.cjs api | worker
 */
const role = process.argv[2];
const port = role === 'api' ? (process.env.PORT ?? '3000') : role === 'worker' ? process.env.WORKER_HEALTH_PORT : '';
if (!port) {
  process.stderr.write(role === 'worker' ? 'WORKER_HEALTH_PORT is not set\n' : 'usage: healthcheck.cjs api|worker\n');
  process.exit(1);
}
fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(4_000) }).then(
  (response) => process.exit(response.ok ? 0 : 1),
  () => process.exit(1),
);
