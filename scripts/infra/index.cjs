// @ts-check
'use strict';
/**
 * Local Redis and PostgreSQL for the demo launcher and Jest's global setup. See README.md.
 * TypeScript callers get the types from index.d.cts.
 */

const { ensurePostgres, probePostgres, createDatabase, dropDatabase, withDatabase } = require('./postgres.cjs');
const { isProcessAlive } = require('./processes.cjs');
const { ensureRedis, pingRedis } = require('./redis.cjs');
const { stopAll } = require('./servers.cjs');

module.exports = {
  ensureRedis,
  ensurePostgres,
  stopAll,
  createDatabase,
  dropDatabase,
  withDatabase,
  pingRedis,
  probePostgres,
  isProcessAlive,
};
