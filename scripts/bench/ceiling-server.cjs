#!/usr/bin/env node
'use strict';
/**
 * The ceiling of `npm run bench`: a bare Fastify server doing the least a WOPI host can do for
 * the same requests. CheckFileInfo answers a JSON body held in memory (the gateway's own answer,
 * passed in BENCH_CEILING_CHECK_FILE_INFO); Lock and Unlock answer 200; PutFile streams the body
 * to a file and answers 200. No auth, no proof, no database: what Node and Fastify cost on this
 * machine, measured in the same run as the gateway.
 */
const fs = require('node:fs');
const path = require('node:path');
const { pipeline } = require('node:stream/promises');
const Fastify = require('fastify');

const body = process.env.BENCH_CEILING_CHECK_FILE_INFO ?? '{}';
const dir = process.env.BENCH_CEILING_DIR ?? fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'ceiling-'));
const app = Fastify({ logger: false });
app.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
app.get('/wopi/files/:id', async (_request, reply) => reply.type('application/json').send(body));
app.post('/wopi/files/:id', async (request, reply) => {
  void reply.header('x-wopi-lock', request.headers['x-wopi-lock'] ?? '');
  return reply.code(200).send();
});
app.post('/wopi/files/:id/contents', async (request, reply) => {
  const target = path.join(dir, `${request.params.id}.bin`);
  await pipeline(request.body ?? request.raw, fs.createWriteStream(target));
  void reply.header('x-wopi-itemversion', String(Date.now()));
  return reply.code(200).send();
});
app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 0) }).then((address) => {
  process.stdout.write(`${address}\n`);
});
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
