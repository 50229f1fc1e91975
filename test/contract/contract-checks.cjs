'use strict';
/**
 * The checks of the core-app contract v1 (libs/core-app-client/openapi/core-app-contract.v1.yaml),
 * shared by the command-line runner (run-contract-tests.cjs, for core-app teams) and the Jest
 * suite that runs them against demo-core. Plain Node, no dependencies.
 *
 * Checks run in order against one context. Each stands on its own (a failure does not stop the
 * rest); the first sets up, the last two clean up: every file the run created is deleted and
 * the test file gets its original content back.
 */
const { randomBytes, randomUUID } = require('node:crypto');
const { createReadStream, createWriteStream } = require('node:fs');
const { mkdtemp, rm } = require('node:fs/promises');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { ContractClient, pseudoRandomBody, sha256Hex } = require('./contract-client.cjs');

// A few MB: enough to span many TCP segments and stream chunks, quick on a laptop.
const LARGE_BODY_BYTES = 5 * 1024 * 1024;
const STALE_MS = 6 * 60 * 1000; // outside the 5-minute replay window
const ISO_MS_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;
const PERMISSIONS = ['read', 'write', 'rename', 'delete', 'createSibling', 'share'];
const URL_KEYS = ['view', 'edit', 'close', 'share', 'versions', 'folder'];
const BREADCRUMB_KEYS = ['brandName', 'brandUrl', 'folderName', 'folderUrl'];

/** A broken expectation: the check fails with this message. */
class CheckFailure extends Error {}

function expect(condition, message) {
  if (!condition) throw new CheckFailure(message);
}

/** ` (code: message)` of an error answer, or the start of whatever else came back. */
function describeAnswer(res) {
  if (res.json?.error) return ` (${res.json.error.code}: ${res.json.error.message})`;
  if (res.bytes?.length) return ` (${res.bytes.subarray(0, 120).toString('utf8').replace(/\s+/g, ' ')})`;
  return '';
}

function expectStatus(res, expected, what) {
  const allowed = [expected].flat();
  expect(
    allowed.includes(res.status),
    `${what}: expected ${allowed.join(' or ')}, got ${res.status}${describeAnswer(res)}`,
  );
}

/** An error answer: the status, the contract's body shape, and (when given) the code. */
function expectError(res, status, code, what) {
  expectStatus(res, status, what);
  const error = res.json?.error;
  expect(
    error && typeof error.code === 'string' && typeof error.message === 'string',
    `${what}: the body must be JSON { "error": { "code", "message" } }, got ${res.bytes?.toString('utf8').slice(0, 200) || 'nothing'}`,
  );
  if (code !== undefined) expect(error.code === code, `${what}: expected error code ${code}, got ${error.code}`);
  return error;
}

function isAbsoluteHttpUrl(value) {
  try {
    return ['http:', 'https:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}

/** Every way `body` falls short of FileMetadata. */
function metadataProblems(body) {
  if (typeof body !== 'object' || body === null) return ['the body is not a JSON object'];
  const problems = [];
  const nonEmpty = (key) => {
    if (typeof body[key] !== 'string' || body[key] === '') problems.push(`${key} must be a non-empty string`);
  };
  ['ref', 'name', 'version', 'ownerId'].forEach(nonEmpty);
  if (!Number.isSafeInteger(body.size) || body.size < 0) problems.push('size must be a non-negative integer');
  if (typeof body.lastModifiedTime !== 'string' || !ISO_MS_UTC.test(body.lastModifiedTime)) {
    problems.push('lastModifiedTime must be ISO 8601 UTC with milliseconds (2024-05-01T12:00:00.000Z)');
  }
  if (body.sha256 !== undefined && !SHA256_HEX.test(body.sha256))
    problems.push('sha256 must be 64 lowercase hex digits');
  if (typeof body.permissions !== 'object' || body.permissions === null) {
    problems.push('permissions must be an object');
  } else {
    for (const key of PERMISSIONS) {
      if (typeof body.permissions[key] !== 'boolean') problems.push(`permissions.${key} must be a boolean`);
    }
  }
  if (body.urls !== undefined) {
    for (const key of URL_KEYS) {
      if (body.urls[key] !== undefined && !isAbsoluteHttpUrl(body.urls[key])) {
        problems.push(`urls.${key} must be an absolute http(s) URL`);
      }
    }
  }
  if (body.breadcrumb !== undefined) {
    for (const key of BREADCRUMB_KEYS) {
      const value = body.breadcrumb[key];
      if (value !== undefined && typeof value !== 'string') problems.push(`breadcrumb.${key} must be a string`);
      if (key.endsWith('Url') && value !== undefined && !isAbsoluteHttpUrl(value)) {
        problems.push(`breadcrumb.${key} must be an absolute http(s) URL`);
      }
    }
  }
  return problems;
}

/** A FileMetadata answer with `status`, its ETag and X-Core-Version matching its version. */
function expectMetadata(res, status, what) {
  expectStatus(res, status, what);
  const problems = metadataProblems(res.json);
  expect(problems.length === 0, `${what}: not valid FileMetadata: ${problems.join('; ')}`);
  return res.json;
}

function expectVersionHeaders(res, version, what) {
  expect(
    res.headers.get('etag') === `"${version}"`,
    `${what}: ETag must be "${version}" (the version, quoted), got ${res.headers.get('etag')}`,
  );
  expect(
    res.headers.get('x-core-version') === version,
    `${what}: X-Core-Version must be ${version}, got ${res.headers.get('x-core-version')}`,
  );
}

/** The calls of the contract, as `ctx.api`. */
function contractApi(client) {
  const enc = encodeURIComponent;
  return {
    metadata: (ref, userId, options = {}) =>
      client.send('GET', `/files/${enc(ref)}`, { query: { userId }, ...options }),
    content: (ref, userId) => client.send('GET', `/files/${enc(ref)}/content`, { query: { userId }, hash: true }),
    headContent: (ref, userId) => client.send('HEAD', `/files/${enc(ref)}/content`, { query: { userId } }),
    putContent: (ref, userId, body, { key, ifMatch, ...options } = {}) =>
      client.send('PUT', `/files/${enc(ref)}/content`, {
        query: { userId },
        body,
        headers: { ...(key ? { 'idempotency-key': key } : {}), ...(ifMatch ? { 'if-match': `"${ifMatch}"` } : {}) },
        ...options,
      }),
    getSibling: (ref, userId, name) => client.send('GET', `/files/${enc(ref)}/siblings`, { query: { userId, name } }),
    createSibling: (ref, userId, name, body, { key, onConflict = 'fail', ifMatch, ...options } = {}) =>
      client.send('POST', `/files/${enc(ref)}/siblings`, {
        query: { userId, name, onConflict },
        body,
        headers: { ...(key ? { 'idempotency-key': key } : {}), ...(ifMatch ? { 'if-match': `"${ifMatch}"` } : {}) },
        ...options,
      }),
    rename: (ref, userId, name, options = {}) =>
      client.send('POST', `/files/${enc(ref)}/rename`, { query: { userId }, body: { json: { name } }, ...options }),
    remove: (ref, userId) => client.send('DELETE', `/files/${enc(ref)}`, { query: { userId } }),
    user: (userId) => client.send('GET', `/users/${enc(userId)}`),
    list: () => client.send('GET', '/files'),
  };
}

/**
 * The state the checks share. `users`: ids of an editor (read, write, rename, createSibling,
 * and delete on files they created), a viewer (read only) and a user without access; `file`:
 * the ref of a file the editor may write, which the suite overwrites and then restores.
 */
function newContext({ baseUrl, secret, users, file, timeoutMs }) {
  const client = new ContractClient({ baseUrl, secret, timeoutMs });
  let keys = 0;
  const ctx = {
    client,
    api: contractApi(client),
    users,
    file,
    runId: randomBytes(4).toString('hex'),
    /** Extension of the test file (learnt in setup); files the suite creates get it too. */
    extension: '',
    /** ref -> name of every file this run created, for cleanup. */
    created: new Map(),
    /** The test file's original content, kept in a temp file to restore it. */
    original: undefined,
    newKey: () => `contract-${ctx.runId}-${++keys}-${randomUUID()}`,
    /** A file name unique to this run, with spaces (so they get percent-encoded) and the extension. */
    nameFor: (label) => `contract-test ${ctx.runId} ${label}${ctx.extension}`,
  };
  return ctx;
}

/** Creates a file beside the test file (as the editor) and registers it for cleanup. */
async function scratchFile(ctx, label, body = Buffer.from(`contract test file ${label}\n`)) {
  const name = ctx.nameFor(label);
  const res = await ctx.api.createSibling(ctx.file, ctx.users.editor, name, body, { key: ctx.newKey() });
  const metadata = expectMetadata(res, 201, `creating the scratch file ${JSON.stringify(name)}`);
  ctx.created.set(metadata.ref, metadata.name);
  return metadata;
}

async function currentVersion(ctx, ref = ctx.file) {
  return expectMetadata(await ctx.api.metadata(ref, ctx.users.editor), 200, 'reading the metadata').version;
}

/** Content digest and length of `ref` as the editor reads it. */
async function contentOf(ctx, ref) {
  const res = await ctx.api.content(ref, ctx.users.editor);
  expectStatus(res, 200, 'reading the content');
  return res;
}

const check = (name, run, options = {}) => ({ name, run, ...options });

const checks = [
  check('setup: the test file exists and the editor may read and write it', async (ctx) => {
    const metadata = expectMetadata(await ctx.api.metadata(ctx.file, ctx.users.editor), 200, 'GET /files/{ref}');
    expect(metadata.ref === ctx.file, `ref must be the requested ref ${ctx.file}, got ${metadata.ref}`);
    expect(metadata.permissions.write, 'the editor must have write permission on the test file');
    expect(metadata.permissions.createSibling, 'the editor must have createSibling permission on the test file');
    const dot = metadata.name.lastIndexOf('.');
    ctx.extension = dot > 0 ? metadata.name.slice(dot) : '';

    // Kept on disk (not in memory) to restore it at the end, whatever its size.
    const dir = await mkdtemp(join(tmpdir(), 'core-app-contract-'));
    const path = join(dir, 'original');
    const res = await ctx.client.send('GET', `/files/${encodeURIComponent(ctx.file)}/content`, {
      query: { userId: ctx.users.editor },
      into: createWriteStream(path),
    });
    if (res.status !== 200) await rm(dir, { recursive: true, force: true });
    expectStatus(res, 200, 'GET /files/{ref}/content');
    ctx.original = { dir, path, sha256: res.sha256 };
    if (metadata.sha256 !== undefined) {
      expect(res.sha256 === metadata.sha256, 'the downloaded content does not match metadata.sha256');
    }
  }),

  // ---- request signing -------------------------------------------------------------------
  check('signing: an unsigned request gets 401', async (ctx) => {
    const res = await ctx.api.metadata(ctx.file, ctx.users.editor, { sign: false });
    expectError(res, 401, 'unauthorized', 'GET without signature headers');
  }),

  check('signing: a request signed with another secret gets 401', async (ctx) => {
    const res = await ctx.api.metadata(ctx.file, ctx.users.editor, { secret: `not-${ctx.client.secret}` });
    expectError(res, 401, 'unauthorized', 'GET signed with a wrong secret');
  }),

  check('signing: a timestamp outside the 5-minute window gets 401, either way', async (ctx) => {
    for (const [what, offset] of [
      ['6 minutes old', -STALE_MS],
      ['6 minutes ahead', STALE_MS],
    ]) {
      const res = await ctx.api.metadata(ctx.file, ctx.users.editor, { timestampMs: Date.now() + offset });
      expectError(res, 401, 'unauthorized', `GET with a timestamp ${what}`);
    }
  }),

  check('signing: a replayed request gets 401', async (ctx) => {
    const query = { userId: ctx.users.editor };
    const path = `/files/${encodeURIComponent(ctx.file)}`;
    const signatureHeaders = await ctx.client.signedHeadersFor('GET', path, query);
    expectStatus(await ctx.client.send('GET', path, { query, signatureHeaders }), 200, 'the first request');
    const replay = await ctx.client.send('GET', path, { query, signatureHeaders });
    expectError(replay, 401, 'unauthorized', 'the same signed request again');
  }),

  check('signing: a signature over another path or query gets 401', async (ctx) => {
    const res = await ctx.api.metadata(ctx.file, ctx.users.editor, {
      signedPathWithQuery: ctx.client.requestTarget(`/files/${encodeURIComponent(ctx.file)}`, {
        userId: ctx.users.viewer,
      }),
    });
    expectError(res, 401, 'unauthorized', 'GET whose query differs from the signed one');
  }),

  check('signing: an altered x-gateway-content-sha256 gets 401 and nothing is written', async (ctx) => {
    const before = await currentVersion(ctx);
    const body = Buffer.from(`tampered ${ctx.runId}`);
    // Signed over one digest; the header then claims the (true) digest of the body sent.
    const res = await ctx.api.putContent(ctx.file, ctx.users.editor, body, {
      key: ctx.newKey(),
      signedSha256: sha256Hex(Buffer.from('what was signed')),
      headers: { 'x-gateway-content-sha256': sha256Hex(body) },
    });
    expectError(res, 401, 'unauthorized', 'PUT with a re-written digest header');
    expect((await currentVersion(ctx)) === before, 'the version changed: the refused body was written');
  }),

  check(
    'signing: a content body that does not match the signed digest gets 400 digest_mismatch, not written',
    async (ctx) => {
      const before = await currentVersion(ctx);
      const res = await ctx.api.putContent(ctx.file, ctx.users.editor, pseudoRandomBody(`${ctx.runId}-x`, 300_000), {
        key: ctx.newKey(),
        signedSha256: sha256Hex(Buffer.from('another body')),
      });
      expectError(res, 400, 'digest_mismatch', 'PUT whose body differs from the signed digest');
      expect((await currentVersion(ctx)) === before, 'the version changed: the refused body was written');
    },
  ),

  check('signing: a JSON body that does not match the signed digest gets 400 digest_mismatch', async (ctx) => {
    const file = await scratchFile(ctx, 'json-digest');
    const res = await ctx.api.rename(file.ref, ctx.users.editor, ctx.nameFor('json-digest-renamed'), {
      signedSha256: sha256Hex(Buffer.from('{"name":"something else"}')),
    });
    expectError(res, 400, 'digest_mismatch', 'rename whose body differs from the signed digest');
    const after = expectMetadata(await ctx.api.metadata(file.ref, ctx.users.editor), 200, 'GET /files/{ref}');
    expect(after.name === file.name, 'the file was renamed although its body was refused');
  }),

  // ---- metadata -----------------------------------------------------------------------------
  check('GET /files/{ref}: the editor gets FileMetadata with read and write', async (ctx) => {
    const res = await ctx.api.metadata(ctx.file, ctx.users.editor);
    const metadata = expectMetadata(res, 200, 'GET /files/{ref}');
    expect(metadata.permissions.read && metadata.permissions.write, 'the editor must have read and write');
  }),

  check('GET /files/{ref}: the viewer gets read without write', async (ctx) => {
    const metadata = expectMetadata(await ctx.api.metadata(ctx.file, ctx.users.viewer), 200, 'GET as the viewer');
    expect(metadata.permissions.read, 'the viewer must have read');
    expect(!metadata.permissions.write, 'the viewer must not have write');
  }),

  check('GET /files/{ref}: a user without access gets 403', async (ctx) => {
    expectError(await ctx.api.metadata(ctx.file, ctx.users.none), 403, 'forbidden', 'GET as a user without access');
  }),

  check('GET /files/{ref}: an unknown user gets 403, not 404', async (ctx) => {
    const res = await ctx.api.metadata(ctx.file, `contract-unknown-user-${ctx.runId}`);
    expectError(res, 403, 'forbidden', 'GET as a user the core app does not know');
  }),

  check('GET /files/{ref}: an unknown file gets 404', async (ctx) => {
    const res = await ctx.api.metadata(`contract-missing-${ctx.runId}`, ctx.users.editor);
    expectError(res, 404, 'not_found', 'GET of a ref that does not exist');
  }),

  check('GET /files/{ref}: a request without userId gets 400', async (ctx) => {
    const res = await ctx.client.send('GET', `/files/${encodeURIComponent(ctx.file)}`);
    expectError(res, 400, undefined, 'GET without userId');
  }),

  // ---- content --------------------------------------------------------------------------------
  check(
    'GET /files/{ref}/content: streams the current version with Content-Length, ETag and X-Core-Version',
    async (ctx) => {
      const metadata = expectMetadata(await ctx.api.metadata(ctx.file, ctx.users.viewer), 200, 'GET /files/{ref}');
      const res = await ctx.api.content(ctx.file, ctx.users.viewer);
      expectStatus(res, 200, 'GET /files/{ref}/content as the viewer');
      expectVersionHeaders(res, metadata.version, 'GET /files/{ref}/content');
      expect(
        res.headers.get('content-length') === String(metadata.size),
        `Content-Length must be the size ${metadata.size}, got ${res.headers.get('content-length')}`,
      );
      expect(res.length === metadata.size, `received ${res.length} bytes, metadata says ${metadata.size}`);
      if (metadata.sha256 !== undefined)
        expect(res.sha256 === metadata.sha256, 'the bytes do not match metadata.sha256');
    },
  ),

  check('GET /files/{ref}/content: a user without access gets 403, an unknown file 404', async (ctx) => {
    expectError(await ctx.api.content(ctx.file, ctx.users.none), 403, 'forbidden', 'content as a user without access');
    const missing = await ctx.api.content(`contract-missing-${ctx.runId}`, ctx.users.editor);
    expectError(missing, 404, 'not_found', 'content of a ref that does not exist');
  }),

  check(
    'HEAD /files/{ref}/content (optional): the same headers, no body',
    async (ctx) => {
      const res = await ctx.api.headContent(ctx.file, ctx.users.editor);
      if ([404, 405, 501].includes(res.status)) return `not implemented (${res.status})`;
      expectStatus(res, 200, 'HEAD /files/{ref}/content');
      const version = await currentVersion(ctx);
      expectVersionHeaders(res, version, 'HEAD /files/{ref}/content');
      expect(res.bytes.length === 0, 'HEAD must not send a body');
      return undefined;
    },
    { optional: true },
  ),

  // ---- writing content ------------------------------------------------------------------------
  check('PUT content: without Idempotency-Key gets 400 and nothing is written', async (ctx) => {
    const before = await currentVersion(ctx);
    const res = await ctx.api.putContent(ctx.file, ctx.users.editor, Buffer.from('no key'));
    expectError(res, 400, undefined, 'PUT without Idempotency-Key');
    expect((await currentVersion(ctx)) === before, 'the version changed: a write without a key was applied');
  }),

  check('PUT content: the viewer gets 403 and nothing is written', async (ctx) => {
    const before = await currentVersion(ctx);
    const res = await ctx.api.putContent(ctx.file, ctx.users.viewer, Buffer.from('viewer'), { key: ctx.newKey() });
    expectError(res, 403, 'forbidden', 'PUT as the viewer');
    expect((await currentVersion(ctx)) === before, 'the version changed: the viewer wrote');
  }),

  check('PUT content: an unknown file gets 404', async (ctx) => {
    const res = await ctx.api.putContent(`contract-missing-${ctx.runId}`, ctx.users.editor, Buffer.from('x'), {
      key: ctx.newKey(),
    });
    expectError(res, 404, 'not_found', 'PUT to a ref that does not exist');
  }),

  check(
    `PUT content: ${LARGE_BODY_BYTES / 1024 / 1024} MiB stream in and out, byte for byte, new version`,
    async (ctx) => {
      const before = await currentVersion(ctx);
      const body = pseudoRandomBody(`${ctx.runId}-large`, LARGE_BODY_BYTES);
      const res = await ctx.api.putContent(ctx.file, ctx.users.editor, body, { key: ctx.newKey(), ifMatch: before });
      const written = expectMetadata(res, 200, 'PUT with a matching If-Match');
      expect(written.version !== before, 'the version must change when the content changes');
      expectVersionHeaders(res, written.version, 'PUT content');
      expect(written.size === LARGE_BODY_BYTES, `size must be ${LARGE_BODY_BYTES}, got ${written.size}`);
      if (written.sha256 !== undefined) expect(written.sha256 === (await body.sha256()), 'metadata.sha256 is wrong');
      const read = await contentOf(ctx, ctx.file);
      expect(read.length === LARGE_BODY_BYTES, `read back ${read.length} bytes`);
      expect(read.sha256 === (await body.sha256()), 'the content read back differs from the content written');
      expectVersionHeaders(read, written.version, 'GET content after the PUT');
    },
  ),

  check('PUT content: a stale If-Match gets 412 version_mismatch with details.currentVersion', async (ctx) => {
    const stale = await currentVersion(ctx);
    const first = await ctx.api.putContent(ctx.file, ctx.users.editor, Buffer.from(`first ${ctx.runId}`), {
      key: ctx.newKey(),
      ifMatch: stale,
    });
    const current = expectMetadata(first, 200, 'PUT with the current version').version;
    const res = await ctx.api.putContent(ctx.file, ctx.users.editor, Buffer.from('stale'), {
      key: ctx.newKey(),
      ifMatch: stale,
    });
    const error = expectError(res, 412, 'version_mismatch', 'PUT with a stale If-Match');
    expect(
      error.details?.currentVersion === current,
      `details.currentVersion must be ${current}, got ${error.details?.currentVersion}`,
    );
    expect((await contentOf(ctx, ctx.file)).sha256 === sha256Hex(Buffer.from(`first ${ctx.runId}`)), 'content changed');
  }),

  check('PUT content: a retry with the same Idempotency-Key replays the answer and writes once', async (ctx) => {
    const version = await currentVersion(ctx);
    const body = Buffer.from(`idempotent ${ctx.runId}`);
    const key = ctx.newKey();
    const first = expectMetadata(
      await ctx.api.putContent(ctx.file, ctx.users.editor, body, { key, ifMatch: version }),
      200,
      'the first PUT',
    );
    // A retry is signed anew and still carries the If-Match of the first attempt, now stale.
    const retry = await ctx.api.putContent(ctx.file, ctx.users.editor, body, { key, ifMatch: version });
    const replayed = expectMetadata(retry, 200, 'the retried PUT');
    expect(
      replayed.version === first.version,
      `the retry must answer version ${first.version}, got ${replayed.version}`,
    );
    expect((await currentVersion(ctx)) === first.version, 'the retry wrote a second version');
  }),

  check('PUT content: the same Idempotency-Key with another body gets 422 idempotency_key_reused', async (ctx) => {
    const key = ctx.newKey();
    const first = await ctx.api.putContent(ctx.file, ctx.users.editor, Buffer.from(`one ${ctx.runId}`), { key });
    const version = expectMetadata(first, 200, 'the first PUT').version;
    const res = await ctx.api.putContent(ctx.file, ctx.users.editor, Buffer.from(`two ${ctx.runId}`), { key });
    expectError(res, 422, 'idempotency_key_reused', 'a different PUT with the same key');
    expect((await currentVersion(ctx)) === version, 'the reused key wrote a version');
  }),

  // ---- siblings -------------------------------------------------------------------------------
  check('POST siblings: creates a file in the same folder (201); GET siblings finds it by name', async (ctx) => {
    const body = pseudoRandomBody(`${ctx.runId}-sibling`, 200_000);
    const name = ctx.nameFor('created');
    const res = await ctx.api.createSibling(ctx.file, ctx.users.editor, name, body, { key: ctx.newKey() });
    const created = expectMetadata(res, 201, 'POST siblings');
    ctx.created.set(created.ref, created.name);
    expect(created.name === name, `name must be ${JSON.stringify(name)}, got ${JSON.stringify(created.name)}`);
    expect(created.ref !== ctx.file, 'a new file must get a new ref');
    expect(created.size === body.size, `size must be ${body.size}, got ${created.size}`);
    expectVersionHeaders(res, created.version, 'POST siblings');
    const found = expectMetadata(await ctx.api.getSibling(ctx.file, ctx.users.editor, name), 200, 'GET siblings');
    expect(found.ref === created.ref, `GET siblings must find ${created.ref}, got ${found.ref}`);
    expect((await contentOf(ctx, created.ref)).sha256 === (await body.sha256()), 'the new file has other content');
  }),

  check('POST siblings: a name with non-ASCII letters, an apostrophe and an ampersand round-trips', async (ctx) => {
    const name = ctx.nameFor("Łódź & l'été – 日本");
    const res = await ctx.api.createSibling(ctx.file, ctx.users.editor, name, Buffer.from('unicode'), {
      key: ctx.newKey(),
    });
    const created = expectMetadata(res, 201, 'POST siblings with a non-ASCII name');
    ctx.created.set(created.ref, created.name);
    expect(created.name === name, `name must be ${JSON.stringify(name)}, got ${JSON.stringify(created.name)}`);
    const found = expectMetadata(await ctx.api.getSibling(ctx.file, ctx.users.editor, name), 200, 'GET siblings');
    expect(found.ref === created.ref, 'GET siblings must find the file by its non-ASCII name');
  }),

  check(
    'POST siblings: onConflict=fail on a taken name gets 409 name_conflict with existingRef and suggestedName',
    async (ctx) => {
      const taken = await scratchFile(ctx, 'taken');
      const res = await ctx.api.createSibling(ctx.file, ctx.users.editor, taken.name, Buffer.from('x'), {
        key: ctx.newKey(),
        onConflict: 'fail',
      });
      const error = expectError(res, 409, 'name_conflict', 'POST siblings on a taken name');
      expect(error.details?.existingRef === taken.ref, `details.existingRef must be ${taken.ref}`);
      const suggested = error.details?.suggestedName;
      expect(typeof suggested === 'string' && suggested !== taken.name, 'details.suggestedName must be another name');
      expect(suggested.endsWith(ctx.extension), `details.suggestedName must keep the extension ${ctx.extension}`);
      const free = await ctx.api.getSibling(ctx.file, ctx.users.editor, suggested);
      expectError(free, 404, 'not_found', 'GET siblings of the suggested name (it must be free)');
    },
  ),

  check('POST siblings: onConflict=rename creates the file under a free name with the same extension', async (ctx) => {
    const taken = await scratchFile(ctx, 'rename-mode');
    const res = await ctx.api.createSibling(ctx.file, ctx.users.editor, taken.name, Buffer.from('renamed'), {
      key: ctx.newKey(),
      onConflict: 'rename',
    });
    const created = expectMetadata(res, 201, 'POST siblings with onConflict=rename');
    ctx.created.set(created.ref, created.name);
    expect(created.ref !== taken.ref && created.name !== taken.name, 'a new file with another name was expected');
    expect(created.name.endsWith(ctx.extension), `the new name must keep the extension ${ctx.extension}`);
  }),

  check(
    'POST siblings: onConflict=overwrite replaces the content of the existing file (200, same ref)',
    async (ctx) => {
      const existing = await scratchFile(ctx, 'overwrite');
      const body = Buffer.from(`overwritten ${ctx.runId}`);
      const res = await ctx.api.createSibling(ctx.file, ctx.users.editor, existing.name, body, {
        key: ctx.newKey(),
        onConflict: 'overwrite',
      });
      const replaced = expectMetadata(res, 200, 'POST siblings with onConflict=overwrite');
      expect(replaced.ref === existing.ref, `the ref must stay ${existing.ref}, got ${replaced.ref}`);
      expect(replaced.version !== existing.version, 'the version must change');
      expect((await contentOf(ctx, existing.ref)).sha256 === sha256Hex(body), 'the content was not replaced');
    },
  ),

  check(
    'POST siblings: a retry with the same Idempotency-Key returns the same file and creates no other',
    async (ctx) => {
      const taken = await scratchFile(ctx, 'retry');
      const key = ctx.newKey();
      const body = Buffer.from(`retried ${ctx.runId}`);
      // onConflict=rename is the telling case: a repeated creation would pick yet another name.
      const first = await ctx.api.createSibling(ctx.file, ctx.users.editor, taken.name, body, {
        key,
        onConflict: 'rename',
      });
      const created = expectMetadata(first, 201, 'the first POST siblings');
      ctx.created.set(created.ref, created.name);
      const retry = await ctx.api.createSibling(ctx.file, ctx.users.editor, taken.name, body, {
        key,
        onConflict: 'rename',
      });
      const again = expectMetadata(retry, 201, 'the retried POST siblings');
      if (again.ref !== created.ref) ctx.created.set(again.ref, again.name);
      expect(again.ref === created.ref, `the retry must answer ${created.ref}, got ${again.ref} (a second file)`);
      expect(again.name === created.name, `the retry must answer the name ${created.name}, got ${again.name}`);
    },
  ),

  check('POST siblings: the same Idempotency-Key for another name gets 422', async (ctx) => {
    const key = ctx.newKey();
    const body = Buffer.from('one');
    const first = await ctx.api.createSibling(ctx.file, ctx.users.editor, ctx.nameFor('key-a'), body, { key });
    const created = expectMetadata(first, 201, 'the first POST siblings');
    ctx.created.set(created.ref, created.name);
    const res = await ctx.api.createSibling(ctx.file, ctx.users.editor, ctx.nameFor('key-b'), body, { key });
    if (res.status === 201) ctx.created.set(res.json.ref, res.json.name);
    expectError(res, 422, 'idempotency_key_reused', 'a different POST siblings with the same key');
  }),

  check('POST siblings: an invalid name gets 400 invalid_name with details.reason', async (ctx) => {
    for (const name of [`bad/name${ctx.extension}`, '']) {
      const res = await ctx.api.createSibling(ctx.file, ctx.users.editor, name, Buffer.from('x'), {
        key: ctx.newKey(),
      });
      if (res.status === 201) ctx.created.set(res.json.ref, res.json.name);
      const error = expectError(res, 400, 'invalid_name', `POST siblings named ${JSON.stringify(name)}`);
      expect(typeof error.details?.reason === 'string', 'details.reason must say which rule the name breaks');
    }
  }),

  check('POST siblings: the viewer gets 403; a missing Idempotency-Key 400', async (ctx) => {
    const viewer = await ctx.api.createSibling(ctx.file, ctx.users.viewer, ctx.nameFor('viewer'), Buffer.from('x'), {
      key: ctx.newKey(),
    });
    if (viewer.status === 201) ctx.created.set(viewer.json.ref, viewer.json.name);
    expectError(viewer, 403, 'forbidden', 'POST siblings as the viewer');
    const keyless = await ctx.api.createSibling(ctx.file, ctx.users.editor, ctx.nameFor('keyless'), Buffer.from('x'));
    if (keyless.status === 201) ctx.created.set(keyless.json.ref, keyless.json.name);
    expectError(keyless, 400, undefined, 'POST siblings without Idempotency-Key');
  }),

  check('POST siblings: an unknown source file gets 404', async (ctx) => {
    const res = await ctx.api.createSibling(
      `contract-missing-${ctx.runId}`,
      ctx.users.editor,
      ctx.nameFor('orphan'),
      Buffer.from('x'),
      { key: ctx.newKey() },
    );
    if (res.status === 201) ctx.created.set(res.json.ref, res.json.name);
    expectError(res, 404, 'not_found', 'POST siblings of a ref that does not exist');
  }),

  check('GET siblings: a name nobody has gets 404', async (ctx) => {
    const res = await ctx.api.getSibling(ctx.file, ctx.users.editor, ctx.nameFor('nobody'));
    expectError(res, 404, 'not_found', 'GET siblings of a free name');
  }),

  // ---- rename ---------------------------------------------------------------------------------
  check('rename: changes the name and keeps ref and version', async (ctx) => {
    const file = await scratchFile(ctx, 'before-rename');
    const name = ctx.nameFor('after-rename');
    const res = await ctx.api.rename(file.ref, ctx.users.editor, name);
    const renamed = expectMetadata(res, 200, 'POST rename');
    ctx.created.set(file.ref, name);
    expect(renamed.ref === file.ref, `the ref must stay ${file.ref}, got ${renamed.ref}`);
    expect(renamed.name === name, `the name must be ${JSON.stringify(name)}, got ${JSON.stringify(renamed.name)}`);
    expect(renamed.version === file.version, 'a rename must not change the content version');
    const found = expectMetadata(await ctx.api.getSibling(ctx.file, ctx.users.editor, name), 200, 'GET siblings');
    expect(found.ref === file.ref, 'GET siblings of the new name must find the renamed file');
    expectError(await ctx.api.getSibling(ctx.file, ctx.users.editor, file.name), 404, 'not_found', 'the old name');
  }),

  check('rename: to a taken name gets 409 name_conflict with suggestedName', async (ctx) => {
    const file = await scratchFile(ctx, 'rename-conflict');
    const other = await scratchFile(ctx, 'rename-conflict-other');
    const error = expectError(
      await ctx.api.rename(file.ref, ctx.users.editor, other.name),
      409,
      'name_conflict',
      'rename to a taken name',
    );
    expect(typeof error.details?.suggestedName === 'string', 'details.suggestedName must be a free name');
    const after = expectMetadata(await ctx.api.metadata(file.ref, ctx.users.editor), 200, 'GET /files/{ref}');
    expect(after.name === file.name, 'the file was renamed although the name was taken');
  }),

  check('rename: an invalid name gets 400 invalid_name; the viewer gets 403', async (ctx) => {
    const file = await scratchFile(ctx, 'rename-rules');
    const invalid = await ctx.api.rename(file.ref, ctx.users.editor, `a:b${ctx.extension}`);
    expectError(invalid, 400, 'invalid_name', 'rename to a name with ":"');
    const viewer = await ctx.api.rename(file.ref, ctx.users.viewer, ctx.nameFor('viewer-rename'));
    expectError(viewer, 403, 'forbidden', 'rename as the viewer');
  }),

  // ---- delete ---------------------------------------------------------------------------------
  check('DELETE: the viewer and a user without access get 403; the file stays', async (ctx) => {
    const file = await scratchFile(ctx, 'delete-denied');
    expectError(await ctx.api.remove(file.ref, ctx.users.viewer), 403, 'forbidden', 'DELETE as the viewer');
    expectError(await ctx.api.remove(file.ref, ctx.users.none), 403, 'forbidden', 'DELETE as a user without access');
    expectMetadata(await ctx.api.metadata(file.ref, ctx.users.editor), 200, 'GET after the refused deletes');
  }),

  check('DELETE: 204, then metadata and content are 404 and a second DELETE is 404', async (ctx) => {
    const file = await scratchFile(ctx, 'delete-me');
    const res = await ctx.api.remove(file.ref, ctx.users.editor);
    expectStatus(res, 204, 'DELETE by the creator');
    ctx.created.delete(file.ref);
    expectError(await ctx.api.metadata(file.ref, ctx.users.editor), 404, 'not_found', 'GET after DELETE');
    expectError(await ctx.api.content(file.ref, ctx.users.editor), 404, 'not_found', 'content after DELETE');
    expectError(await ctx.api.remove(file.ref, ctx.users.editor), 404, 'not_found', 'DELETE again');
  }),

  // ---- users ----------------------------------------------------------------------------------
  check('GET /users/{userId}: a profile with id and displayName', async (ctx) => {
    const res = await ctx.api.user(ctx.users.editor);
    expectStatus(res, 200, 'GET /users/{userId}');
    const user = res.json ?? {};
    expect(user.id === ctx.users.editor, `id must be ${ctx.users.editor}, got ${user.id}`);
    expect(typeof user.displayName === 'string' && user.displayName !== '', 'displayName must be a non-empty string');
    for (const key of ['email', 'avatarUrl']) {
      expect(user[key] === undefined || typeof user[key] === 'string', `${key} must be a string when present`);
    }
  }),

  check('GET /users/{userId}: an unknown user gets 404', async (ctx) => {
    expectError(await ctx.api.user(`contract-unknown-user-${ctx.runId}`), 404, 'not_found', 'GET an unknown user');
  }),

  check(
    'GET /files (optional): a listing of files with ref and name',
    async (ctx) => {
      const res = await ctx.api.list();
      if ([404, 405, 501].includes(res.status)) return `not implemented (${res.status})`;
      expectStatus(res, 200, 'GET /files');
      const files = res.json?.files;
      expect(Array.isArray(files), 'the body must be { "files": [...] }');
      for (const file of files) {
        expect(typeof file.ref === 'string' && typeof file.name === 'string', 'every file needs ref and name');
      }
      expect(
        files.some((file) => file.ref === ctx.file),
        'the listing must include the test file',
      );
      return undefined;
    },
    { optional: true },
  ),

  // ---- cleanup --------------------------------------------------------------------------------
  check(
    'cleanup: every file this run created is deleted',
    async (ctx) => {
      const problems = [];
      for (const [ref, name] of ctx.created) {
        const res = await ctx.api.remove(ref, ctx.users.editor);
        if (res.status === 204 || res.status === 404) {
          ctx.created.delete(ref);
        } else {
          problems.push(`${name} (${ref}): DELETE answered ${res.status}${describeAnswer(res)}`);
        }
      }
      expect(problems.length === 0, `could not delete: ${problems.join('; ')}`);
    },
    { cleanup: true },
  ),

  check(
    'cleanup: the test file has its original content again',
    async (ctx) => {
      expect(ctx.original !== undefined, 'setup did not save the original content, so it cannot be restored');
      const { dir, path, sha256 } = ctx.original;
      try {
        const body = { open: () => createReadStream(path), sha256: async () => sha256 };
        const res = await ctx.api.putContent(ctx.file, ctx.users.editor, body, { key: ctx.newKey() });
        expectMetadata(res, 200, 'PUT of the original content');
        expect((await contentOf(ctx, ctx.file)).sha256 === sha256, 'the restored content differs from the original');
      } finally {
        await rm(dir, { recursive: true, force: true });
        ctx.original = undefined;
      }
    },
    { cleanup: true },
  ),
];

module.exports = { CheckFailure, checks, newContext, metadataProblems };
