#!/usr/bin/env node
'use strict';
/**
 * `npm run compliance -- [--out DIR]`: the evidence a CSPP launch verification asks for, measured
 * against a running gateway (docs/cspp-submission.md says how to use it).
 *
 * Writes DIR/compliance.json (for machines), DIR/compliance.md and DIR/compliance.html with:
 * 1. every WOPI validator group Microsoft requires, run with proof keys through the tenant's
 *    validator profile, and its results;
 * 2. Microsoft's implementation questionnaire, each answer measured here with its evidence (the
 *    requests made and what came back; access tokens masked);
 * 3. the manual checks (HostFrameIntegration, co-authoring, ...) with the steps to record them.
 *
 * With no arguments it measures the demo started by `npm run demo` (.local/demo/runtime.json).
 * Any other gateway: --api URL --key SESSION_API_KEY --wopitest-ref REF [--doc-ref REF].
 * Exit code: 0 when every required group passed and every question has an answer with evidence,
 * 1 otherwise, 2 for bad arguments.
 */
const { execFile } = require('node:child_process');
const { createHash, randomBytes } = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { pathToFileURL } = require('node:url');
const { parseArgs } = require('node:util');

const root = path.resolve(__dirname, '..');
const localDir = path.resolve(root, process.env.WOPI_LOCAL_DIR ?? '.local');

/** hostpage.rst, testing.rst and shipping.rst ("required_validator_tests"): what must pass. */
const REQUIRED_GROUPS = [
  { requirement: 'BaseWopiViewing', candidates: ['BaseWopiViewing'] },
  { requirement: 'CheckFileInfoSchema', candidates: ['CheckFileInfoSchema'] },
  { requirement: 'EditFlows', candidates: ['EditFlows'] },
  { requirement: 'Locks', candidates: ['Locks'] },
  {
    requirement: 'PutRelativeFile or PutRelativeFileUnsupported',
    candidates: ['PutRelativeFile', 'PutRelativeFileUnsupported'],
  },
  {
    requirement:
      'RenameFileIfCreateChildFileIsNotSupported or RenameFileIfCreateChildFileIsSupported (if RenameFile is supported)',
    candidates: ['RenameFileIfCreateChildFileIsNotSupported', 'RenameFileIfCreateChildFileIsSupported'],
  },
  { requirement: 'FileVersion', candidates: ['FileVersion'] },
  { requirement: 'PutUserInfo (if PutUserInfo is supported)', candidates: ['PutUserInfo'] },
  { requirement: 'ProofKeys (if proof keys are validated)', candidates: ['ProofKeys'] },
];

class UsageError extends Error {}

function options() {
  const { values } = parseArgs({
    options: {
      out: { type: 'string', default: path.join(localDir, 'compliance') },
      api: { type: 'string' },
      key: { type: 'string' },
      'wopitest-ref': { type: 'string' },
      'doc-ref': { type: 'string' },
      'user-a': { type: 'string', default: 'alice' },
      'user-b': { type: 'string', default: 'bob' },
      owner: { type: 'string' },
      client: { type: 'string', default: 'wopi-validator' },
      'login-url': { type: 'string' },
      'validator-dir': {
        type: 'string',
        default: path.resolve(root, process.env.WOPI_VALIDATOR_DIR ?? '../shared/wopi-validator'),
      },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(
      'npm run compliance -- [--out DIR] [--api URL --key SESSION_API_KEY --wopitest-ref REF [--doc-ref REF]]\n' +
        '  [--user-a alice] [--user-b bob] [--owner USER] [--client wopi-validator] [--login-url URL] [--validator-dir DIR]\n',
    );
    process.exit(0);
  }
  return values;
}

/** The demo's gateway, key and sample files, as scripts/session.cjs finds them. */
async function demoTarget() {
  const runtimeFile = path.join(localDir, 'demo', 'runtime.json');
  if (!fs.existsSync(runtimeFile))
    throw new UsageError(
      'no running demo found (start it with `npm run demo`), or pass --api, --key and --wopitest-ref',
    );
  const runtime = JSON.parse(fs.readFileSync(runtimeFile, 'utf8'));
  const { signRequest, EMPTY_BODY_SHA256 } = require('../dist/libs/core-app-client/src/request-signing.js');
  const listing = await fetch(`${runtime.demoCoreUrl}/core/v1/files`, {
    headers: signRequest(runtime.demoCoreApiSecret, {
      method: 'GET',
      pathWithQuery: '/core/v1/files',
      contentSha256: EMPTY_BODY_SHA256,
      timestampMs: Date.now(),
    }),
  });
  if (!listing.ok) throw new Error(`demo-core answered ${listing.status} listing its files`);
  const { files } = await listing.json();
  const refOf = (name) => files.find((file) => file.name === name)?.ref;
  return {
    api: runtime.apiUrl,
    key: runtime.tenants.demo.sessionApiKey,
    wopitestRef: refOf('validator.wopitest'),
    docRef: refOf('Welcome.docx'),
  };
}

// ------------------------------------------------------------------------------------------------
// Recording: every request the report shows, with access tokens masked.

const knownTokens = new Set();

/** A token as it appears raw, URL-encoded, or as the validator encodes it (all but 0-9A-Za-z as %XX). */
function tokenForms(token) {
  const everyCharacter = token.replace(
    /[^0-9A-Za-z]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
  );
  return [token, encodeURIComponent(token), everyCharacter, everyCharacter.toLowerCase()];
}

function mask(text) {
  let masked = String(text);
  for (const token of knownTokens) {
    for (const form of tokenForms(token)) masked = masked.split(form).join(`<access token, ${token.length} chars>`);
  }
  // Tokens the gateway issued to others during the run (PutRelativeFile's new files, ...).
  return masked
    .replace(/(access_token=)(?!<)[^&"\s\\]+/gi, '$1<another access token>')
    .replace(/(?<![A-Za-z0-9+/=])eyJ[A-Za-z0-9_%.-]{16,}/g, '<another access token>');
}

const SHOWN_RESPONSE_HEADERS = [
  'content-type',
  'content-length',
  'x-wopi-itemversion',
  'x-wopi-lock',
  'x-wopi-lockfailurereason',
  'x-wopi-servererror',
  'location',
];

function record(what, request, response, body) {
  const headers = {};
  for (const name of SHOWN_RESPONSE_HEADERS) {
    const value = response?.headers.get(name);
    if (value !== null && value !== undefined) headers[name] = mask(value);
  }
  const requestHeaders = {};
  for (const [name, value] of Object.entries(request.headers ?? {})) {
    if (name === 'authorization') requestHeaders[name] = mask(value);
    else if (name.startsWith('x-wopi-proof')) requestHeaders[name] = `<signature, ${value.length} chars>`;
    else if (name !== 'content-type' || request.body !== undefined) requestHeaders[name] = mask(value);
  }
  return {
    what,
    request: { method: request.method, url: mask(request.url), headers: requestHeaders },
    response: response ? { status: response.status, headers, ...(body === undefined ? {} : { body }) } : null,
  };
}

// ------------------------------------------------------------------------------------------------
// Sessions and WOPI calls, signed with the validator's proof keys as Office for the web signs.

function createGateway({ api, key, client, proof }) {
  async function session(fileRef, userId, extra = {}) {
    const body = { fileRef, userId, client, ...extra };
    const request = {
      method: 'POST',
      url: `${api}/api/v1/sessions`,
      headers: { authorization: 'Bearer <session API key>', 'content-type': 'application/json' },
      body,
    };
    const response = await fetch(request.url, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const json = await response.json().catch(() => ({}));
    if (!response.ok)
      throw new Error(
        `the session API answered ${response.status} for ${fileRef} as ${userId}: ${JSON.stringify(json)}`,
      );
    knownTokens.add(json.accessToken);
    const fileId = new URL(json.wopiSrc).pathname.split('/').pop();
    const evidence = record(`session for ${userId} (${JSON.stringify(extra)})`, { ...request, body }, response, {
      wopiSrc: json.wopiSrc,
      fileId,
      client: json.client,
      accessToken: mask(json.accessToken),
      accessTokenTtl: json.accessTokenTtl,
    });
    evidence.request.body = { fileRef, userId, client, ...extra };
    return { ...json, fileId, userId, issuedAt: Date.now(), evidence };
  }

  /** One WOPI request; `token` says where the access token goes: query, header or both. */
  async function wopi(
    s,
    what,
    { method = 'GET', suffix = '', headers = {}, body, token = 'query', parse = 'json' } = {},
  ) {
    const url = new URL(`${s.wopiSrc}${suffix}`);
    if (token === 'query' || token === 'both') {
      url.searchParams.set('access_token', s.accessToken);
      url.searchParams.set('access_token_ttl', String(s.accessTokenTtl));
    }
    const ticks = proof.nowTicks();
    const signedUrl = url.toString();
    const sent = {
      ...headers,
      'x-wopi-timestamp': ticks.toString(),
      'x-wopi-proof': proof.signProof(proof.keys.current, proof.proofInput(s.accessToken, signedUrl, ticks)),
      'x-wopi-proofold': proof.signProof(proof.keys.old, proof.proofInput(s.accessToken, signedUrl, ticks)),
      ...(token === 'header' || token === 'both' ? { authorization: `Bearer ${s.accessToken}` } : {}),
    };
    const response = await fetch(signedUrl, { method, headers: sent, ...(body === undefined ? {} : { body }) });
    const bytes = Buffer.from(await response.arrayBuffer());
    let shown;
    let json;
    if (parse === 'json' && (response.headers.get('content-type') ?? '').includes('json')) {
      json = JSON.parse(bytes.toString('utf8'));
      shown = json;
    } else if (parse === 'bytes') {
      shown = { bytes: bytes.length, sha256: sha256(bytes) };
    } else if (bytes.length) {
      shown = mask(bytes.toString('utf8').slice(0, 500));
    }
    return {
      status: response.status,
      headers: response.headers,
      bytes,
      json,
      evidence: record(what, { method, url: signedUrl, headers: sent, body }, response, shown),
    };
  }

  return { session, wopi };
}

function sha256(bytes) {
  return createHash('sha256').update(bytes).digest('base64');
}

/** Every path in a JSON value whose value is null. */
function nullPaths(value, prefix = '') {
  if (value === null) return [prefix || '(root)'];
  if (typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, inner]) => nullPaths(inner, prefix ? `${prefix}.${key}` : key));
}

// ------------------------------------------------------------------------------------------------
// The questionnaire (shipping.rst "WOPI implementation questionnaire") and the extra rules the
// issue and hostpage.rst name, each measured.

async function measureQuestionnaire(gw, target, opts) {
  const a = opts['user-a'];
  const b = opts['user-b'];
  const owner = opts.owner ?? a;
  const questionnaire = [];
  const ask = (id, question, answer, satisfied, evidence) =>
    questionnaire.push({ id, question, answer, satisfied, evidence });

  const aFirst = await gw.session(target.wopitestRef, a);
  const aFirstInfo = await gw.wopi(aFirst, `CheckFileInfo as ${a}`);
  const info = aFirstInfo.json ?? {};

  // 1. File IDs.
  {
    const evidence = [aFirst.evidence];
    const bSession = await gw.session(target.wopitestRef, b);
    const aView = await gw.session(target.wopitestRef, a, { action: 'view' });
    // Two UI paths of the core app (a folder listing, search results): the page a user came from
    // reaches the gateway as returnUrl; the document is the same, so must be its ID.
    const uiOrigin = new URL(info.HostViewUrl ?? target.api).origin;
    const fromFolder = await gw.session(target.wopitestRef, a, { returnUrl: `${uiOrigin}/folders/shared` });
    const fromSearch = await gw.session(target.wopitestRef, b, { returnUrl: `${uiOrigin}/search?q=wopitest` });
    evidence.push(bSession.evidence, aView.evidence, fromFolder.evidence, fromSearch.evidence);
    const sameFile = [aFirst, bSession, aView, fromFolder, fromSearch];
    let otherFile;
    let otherStable = true;
    if (target.docRef) {
      otherFile = await gw.session(target.docRef, a, { client: undefined });
      const otherB = await gw.session(target.docRef, b, { client: undefined });
      evidence.push(otherFile.evidence, otherB.evidence);
      otherStable = otherB.fileId === otherFile.fileId;
    }
    let renamed = { supported: info.SupportsRename === true && info.UserCanRename === true };
    if (renamed.supported) {
      const originalBase = String(info.BaseFileName).replace(/\.[^.]*$/, '');
      const newBase = `${originalBase}-renamed-${randomBytes(3).toString('hex')}`;
      const rename = await gw.wopi(aFirst, `RenameFile to "${newBase}"`, {
        method: 'POST',
        headers: { 'x-wopi-override': 'RENAME_FILE', 'x-wopi-requestedname': newBase },
      });
      const afterRename = await gw.session(target.wopitestRef, b);
      const afterInfo = await gw.wopi(afterRename, `CheckFileInfo as ${b} after the rename`);
      const back = await gw.wopi(aFirst, `RenameFile back to "${originalBase}"`, {
        method: 'POST',
        headers: { 'x-wopi-override': 'RENAME_FILE', 'x-wopi-requestedname': originalBase },
      });
      evidence.push(rename.evidence, afterRename.evidence, afterInfo.evidence, back.evidence);
      sameFile.push(afterRename);
      renamed = {
        supported: true,
        ok: rename.status === 200 && back.status === 200 && afterInfo.json?.BaseFileName?.startsWith(newBase),
        sameId: afterRename.fileId === aFirst.fileId,
      };
    }
    // Time: a session long after the first (after the validator run) is compared in finish().
    const ids = new Set(sameFile.map((s) => s.fileId));
    const unique = !otherFile || otherFile.fileId !== aFirst.fileId;
    const stable = ids.size === 1 && otherStable;
    questionnaire.push({
      id: 'file-ids',
      question:
        'Confirm that your file IDs are unique and consistent over time, across users and UI paths (and renames).',
      answer:
        `${stable ? 'Yes' : 'No'}: the same file got file ID ${aFirst.fileId} in every session measured ` +
        `(${sameFile.length} sessions: users ${a} and ${b}, edit and view actions, two UI paths (folder, search)` +
        `${renamed.supported ? ', before and after a rename' : ''}); ` +
        `${unique ? `another file got a different ID (${otherFile ? `${otherFile.fileId}, ${otherStable ? 'the same for both users' : 'DIFFERENT PER USER'}` : 'not measured: no --doc-ref'})` : 'ANOTHER FILE GOT THE SAME ID'}. ` +
        "The ID is the gateway's registry ID for (tenant, core-app file reference): every UI path of the core app that " +
        'names the same document passes the same reference, so it gets the same ID.' +
        (renamed.supported
          ? ` Rename ${renamed.ok ? 'succeeded and' : 'FAILED, and'} the ID ${renamed.sameId ? 'did not change' : 'CHANGED'}.`
          : ' RenameFile is not offered (SupportsRename/UserCanRename false).'),
      satisfied: stable && unique && (!renamed.supported || (renamed.ok && renamed.sameId)),
      evidence,
      fileIdsBySession: sameFile.map((s) => ({ user: s.userId, fileId: s.fileId })),
      pendingTimeCheck: aFirst.fileId,
    });
  }

  // 2 and 3. UserId and OwnerId.
  {
    const aAgain = await gw.session(target.wopitestRef, a);
    const aAgainInfo = await gw.wopi(aAgain, `CheckFileInfo as ${a}, second session`);
    const bSession = await gw.session(target.wopitestRef, b);
    const bInfo = await gw.wopi(bSession, `CheckFileInfo as ${b}`);
    const ownerSession = owner === a ? aFirst : await gw.session(target.wopitestRef, owner);
    const ownerInfo = owner === a ? aFirstInfo : await gw.wopi(ownerSession, `CheckFileInfo as ${owner}`);
    const evidence = [aFirstInfo.evidence, aAgain.evidence, aAgainInfo.evidence, bSession.evidence, bInfo.evidence];
    const userStable = aFirstInfo.json?.UserId !== undefined && aFirstInfo.json.UserId === aAgainInfo.json?.UserId;
    const userUnique = aFirstInfo.json?.UserId !== bInfo.json?.UserId;
    ask(
      'user-id',
      'Confirm you provide a user ID in UserId, unique and consistent over time.',
      `${userStable && userUnique ? 'Yes' : 'No'}: UserId was "${aFirstInfo.json?.UserId}" for ${a} in two separate sessions ` +
        `and "${bInfo.json?.UserId}" for ${b}. It is derived from the core app's user ID and the tenant, never from a ` +
        'display name or e-mail address.',
      userStable && userUnique,
      evidence,
    );
    const owners = new Set([aFirstInfo.json?.OwnerId, aAgainInfo.json?.OwnerId, bInfo.json?.OwnerId]);
    const ownerCorrect = aFirstInfo.json?.OwnerId === ownerInfo.json?.UserId;
    ask(
      'owner-id',
      'Confirm that OwnerId represents the user who owns the document and is unique and consistent over time.',
      `${owners.size === 1 && ownerCorrect ? 'Yes' : 'No'}: OwnerId was "${aFirstInfo.json?.OwnerId}" whichever user asked ` +
        `(${owners.size} distinct value(s) across ${a} and ${b}); the owner, ${owner}, has UserId "${ownerInfo.json?.UserId}", ` +
        `which ${ownerCorrect ? 'is' : 'is NOT'} the OwnerId.`,
      owners.size === 1 && ownerCorrect,
      owner === a ? evidence : [...evidence, ownerSession.evidence, ownerInfo.evidence],
    );
  }

  // 4. SHA256 and 5. versions: one lock, one save, on the validator's throw-away file.
  {
    const s = await gw.session(target.wopitestRef, a);
    const before = await gw.wopi(s, 'CheckFileInfo before any change');
    const getBefore = await gw.wopi(s, 'GetFile', { suffix: '/contents', parse: 'bytes' });
    const lockId = `compliance-${randomBytes(6).toString('hex')}`;
    const lock = await gw.wopi(s, 'Lock', {
      method: 'POST',
      headers: { 'x-wopi-override': 'LOCK', 'x-wopi-lock': lockId },
    });
    const afterLock = await gw.wopi(s, 'CheckFileInfo after Lock');
    const content = Buffer.from(`compliance probe ${new Date().toISOString()}\n`);
    const put = await gw.wopi(s, 'PutFile (new content)', {
      method: 'POST',
      suffix: '/contents',
      headers: { 'x-wopi-override': 'PUT', 'x-wopi-lock': lockId, 'content-type': 'application/octet-stream' },
      body: content,
    });
    const afterPut = await gw.wopi(s, 'CheckFileInfo after PutFile');
    const getAfter = await gw.wopi(s, 'GetFile after PutFile', { suffix: '/contents', parse: 'bytes' });
    const unlock = await gw.wopi(s, 'Unlock', {
      method: 'POST',
      headers: { 'x-wopi-override': 'UNLOCK', 'x-wopi-lock': lockId },
    });
    const afterUnlock = await gw.wopi(s, 'CheckFileInfo after Unlock');
    const v = (r) => r.json?.Version;

    const shaSent = typeof before.json?.SHA256 === 'string';
    const shaMatchesBefore = before.json?.SHA256 === sha256(getBefore.bytes);
    const shaMatchesAfter = afterPut.json?.SHA256 === sha256(content) && sha256(getAfter.bytes) === sha256(content);
    ask(
      'sha256',
      'Are you sending the SHA256 value in CheckFileInfo?',
      `${shaSent && shaMatchesBefore && shaMatchesAfter ? 'Yes' : 'No'}: CheckFileInfo sent SHA256 "${before.json?.SHA256}", ` +
        `and the SHA-256 of the ${getBefore.bytes.length} bytes GetFile returned is "${sha256(getBefore.bytes)}" ` +
        `(${shaMatchesBefore ? 'equal' : 'DIFFERENT'}); after a PutFile of ${content.length} bytes CheckFileInfo sent ` +
        `"${afterPut.json?.SHA256}" and GetFile returned bytes hashing to "${sha256(getAfter.bytes)}" ` +
        `(${shaMatchesAfter ? 'both equal to the hash of the bytes saved' : 'NOT the hash of the bytes saved'}).`,
      shaSent && shaMatchesBefore && shaMatchesAfter,
      [before.evidence, getBefore.evidence, put.evidence, afterPut.evidence, getAfter.evidence],
    );

    const lockKeeps = lock.status === 200 && v(afterLock) === v(before);
    const putChanges =
      put.status === 200 && v(afterPut) !== v(before) && put.headers.get('x-wopi-itemversion') === v(afterPut);
    const unlockKeeps = unlock.status === 200 && v(afterUnlock) === v(afterPut);
    ask(
      'versions',
      'When are file versions created? (Version changes when the content changes, and only then.)',
      `${lockKeeps && putChanges && unlockKeeps ? 'On every PutFile, and only then' : 'NOT as expected'}: Version was ` +
        `"${v(before)}" before, "${v(afterLock)}" after Lock (${lock.status}), "${v(afterPut)}" after PutFile ` +
        `(${put.status}, X-WOPI-ItemVersion "${put.headers.get('x-wopi-itemversion')}"), "${v(afterUnlock)}" after ` +
        `Unlock (${unlock.status}). Each PutFile is one new version of the document in the core app (written back by ` +
        'the worker); Lock, RefreshLock, Unlock and reads never create one.',
      lockKeeps && putChanges && unlockKeeps,
      [
        before.evidence,
        lock.evidence,
        afterLock.evidence,
        put.evidence,
        afterPut.evidence,
        unlock.evidence,
        afterUnlock.evidence,
      ],
    );
  }

  // 6. Business user flow.
  {
    const fields = [
      'IsAnonymousUser',
      'IsEduUser',
      'LicenseCheckForEditIsEnabled',
      'UserPrincipalName',
      'HostEditUrl',
      'HostViewUrl',
    ];
    const sent = Object.fromEntries(fields.map((f) => [f, info[f] === undefined ? '(not sent)' : info[f]]));
    const business = info.LicenseCheckForEditIsEnabled === true;
    ask(
      'business-flow',
      'Are you using the business user flow?',
      `${business ? 'Yes' : 'No'}: CheckFileInfo sends ${Object.entries(sent)
        .map(([k, val]) => `${k}=${JSON.stringify(val)}`)
        .join(', ')}. ` +
        (business
          ? "LicenseCheckForEditIsEnabled is true, so Office for the web checks each editing user's Microsoft 365 business licence (business user flow)."
          : 'LicenseCheckForEditIsEnabled is not true, so this tenant uses the consumer flow (no licence check by Office).'),
      true,
      [aFirstInfo.evidence],
    );
  }

  // 7. Supports* properties.
  {
    const supports = Object.fromEntries(Object.entries(info).filter(([k]) => k.startsWith('Supports')));
    const user = Object.fromEntries(Object.entries(info).filter(([k]) => /^User(Can|CanNot)/.test(k)));
    ask(
      'supports-properties',
      'What Supports* properties are you passing in CheckFileInfo?',
      `${Object.entries(supports)
        .map(([k, val]) => `${k}=${JSON.stringify(val)}`)
        .join(', ')}; with the user permissions ${Object.entries(user)
        .map(([k, val]) => `${k}=${JSON.stringify(val)}`)
        .join(', ')} (for ${a}).`,
      Object.keys(supports).length > 0,
      [aFirstInfo.evidence],
    );
  }

  // Access token in the URL and/or the Authorization header.
  {
    const s = await gw.session(target.wopitestRef, a);
    const inUrl = await gw.wopi(s, 'CheckFileInfo with access_token in the URL only', { token: 'query' });
    const inHeader = await gw.wopi(s, 'CheckFileInfo with Authorization: Bearer only', { token: 'header' });
    const both = await gw.wopi(s, 'CheckFileInfo with both', { token: 'both' });
    const ok = (r) => (r.status === 200 ? 'accepted (200)' : `refused (${r.status})`);
    ask(
      'access-token-transport',
      'Is the access token accepted in the Authorization header and/or the URL?',
      `In the URL (access_token query parameter): ${ok(inUrl)}; in the Authorization header (Bearer): ${ok(inHeader)}; ` +
        `both: ${ok(both)}. Office for the web sends it in the URL; proofs were signed over each exact URL.`,
      inUrl.status === 200,
      [inUrl.evidence, inHeader.evidence, both.evidence],
    );
  }

  // IPv6.
  {
    const api = new URL(target.api);
    const v6 = new URL(target.api);
    v6.hostname = '[::1]';
    const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(api.hostname);
    let observation;
    let answered = false;
    const probeUrl = loopback ? `${v6.origin}/healthz` : null;
    if (probeUrl) {
      try {
        const response = await fetch(probeUrl, { signal: AbortSignal.timeout(5000) });
        answered = response.ok;
        observation = `GET ${probeUrl} answered ${response.status}`;
      } catch (error) {
        observation = `GET ${probeUrl} failed: ${error.cause?.code ?? error.message}`;
      }
    } else {
      const { lookup } = require('node:dns/promises');
      const addresses = await lookup(api.hostname, { all: true }).catch(() => []);
      const v6Addresses = addresses.filter((x) => x.family === 6).map((x) => x.address);
      answered = v6Addresses.length > 0;
      observation = `${api.hostname} resolves to IPv6 ${v6Addresses.length ? v6Addresses.join(', ') : '(none)'}`;
    }
    ask(
      'ipv6',
      'Do you use IPv6 in your datacenters?',
      `${answered ? 'The gateway answers over IPv6' : 'Not on this deployment'}: ${observation}. The api listens on HOST ` +
        "(`::` listens on IPv6 and IPv4 alike); whether the datacenter routes IPv6 to it is the operator's answer: " +
        'this measurement only shows what this deployment does.',
      true,
      [{ what: 'IPv6 probe', observation }],
    );
  }

  // Token length and lifetime.
  {
    const lifetimeMs = aFirst.accessTokenTtl - aFirst.issuedAt;
    ask(
      'access-token',
      'How long are access tokens, and how long do they live (access_token_ttl)?',
      `The access token is ${aFirst.accessToken.length} characters (URL-safe, no padding); access_token_ttl is ` +
        `${aFirst.accessTokenTtl} (ms since the Unix epoch: ${new Date(aFirst.accessTokenTtl).toISOString()}), ` +
        `${(lifetimeMs / 3_600_000).toFixed(2)} h after issue. The session API renews it (POST /api/v1/sessions/renew).`,
      aFirst.accessTokenTtl > aFirst.issuedAt && aFirst.accessToken.length > 0,
      [aFirst.evidence],
    );
  }

  // No nulls in CheckFileInfo.
  {
    const nulls = nullPaths(info);
    ask(
      'no-nulls',
      'Does CheckFileInfo leave out properties instead of sending null?',
      nulls.length === 0
        ? `Yes: none of the ${Object.keys(info).length} properties sent is null.`
        : `No: null at ${nulls.join(', ')}.`,
      nulls.length === 0,
      [aFirstInfo.evidence],
    );
  }

  // Host-page rules (hostpage.rst).
  questionnaire.push(await measureHostPage(gw, target, a));
  return questionnaire;
}

async function measureHostPage(gw, target, user) {
  const s = target.docRef
    ? await gw.session(target.docRef, user, { client: undefined })
    : await gw.session(target.wopitestRef, user);
  const response = await fetch(s.hostPageUrl);
  const html = await response.text();
  const attr = (tag, name) => new RegExp(`\\b${name}="([^"]*)"`).exec(tag)?.[1];
  const form = /<form\b[^>]*>/i.exec(html)?.[0] ?? '';
  const inputs = [...html.matchAll(/<input\b[^>]*>/gi)].map((m) => m[0]);
  const input = (name) => inputs.find((tag) => attr(tag, 'name') === name);
  const title = /<title>([^<]*)<\/title>/i.exec(html)?.[1]?.trim() ?? '';
  const favicon = /<link\b[^>]*rel="(?:shortcut )?icon"[^>]*>/i.exec(html)?.[0];
  const checks = {
    'answers 200 with HTML':
      response.status === 200 && (response.headers.get('content-type') ?? '').includes('text/html'),
    'form POSTs into the frame': /method="post"/i.test(form) && attr(form, 'target') === 'office_frame',
    'form action carries no access token': !!attr(form, 'action') && !/access_token=/i.test(attr(form, 'action')),
    'access_token is a hidden form field with the session token':
      attr(input('access_token') ?? '', 'value') === s.accessToken,
    'access_token_ttl is a hidden form field with the session ttl':
      attr(input('access_token_ttl') ?? '', 'value') === String(s.accessTokenTtl),
    'the iframe is created by script (named office_frame)':
      /createElement\(['"]iframe['"]\)/.test(html) && /office_frame/.test(html),
    'the frame fills the window':
      /#office_frame\s*{[^}]*width:\s*100%[^}]*height:\s*100%[^}]*position:\s*absolute/.test(html),
    'body has no margin and no scrollbars': /body\s*{[^}]*margin:\s*0[^}]*overflow:\s*hidden/.test(html),
    'viewport meta disables zoom (mobile)': /<meta name="viewport"[^>]*user-scalable=no/.test(html),
    'title names the document': title.length > 0,
    'favicon link present': !!favicon,
    'host page URL is one-time':
      (await fetch(s.hostPageUrl)
        .then((r) => r.status)
        .catch(() => 0)) !== 200,
  };
  const failed = Object.entries(checks)
    .filter(([, passed]) => !passed)
    .map(([name]) => name);
  return {
    id: 'host-page',
    question:
      'Does the host page follow the host-page rules (form POST of access_token and access_token_ttl, full-window iframe, favicon and title)?',
    answer: failed.length
      ? `No: ${failed.join('; ')}.`
      : `Yes: ${Object.keys(checks).join('; ')}. Title "${mask(title)}", favicon ${attr(favicon, 'href')}.`,
    satisfied: failed.length === 0,
    evidence: [
      s.evidence,
      {
        what: 'GET the host-page link (then again: refused, it is one-time)',
        request: { method: 'GET', url: mask(s.hostPageUrl) },
        response: {
          status: response.status,
          headers: { 'content-type': response.headers.get('content-type') },
          body: {
            title: mask(title),
            form: mask(form),
            inputs: inputs.map(mask),
            favicon: favicon ?? null,
          },
        },
        checks,
      },
    ],
  };
}

// ------------------------------------------------------------------------------------------------
// The validator, with proofs, through the validator profile.

async function runValidator(cli, session, groups, outDir) {
  // The validator's own report holds every token in clear: it stays in a private folder until masked.
  const privateDir = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'wopi-compliance-'));
  const report = path.join(privateDir, 'validator-report.json');
  const args = [
    cli,
    '--wopisrc',
    session.wopiSrc,
    '--token',
    session.accessToken,
    '--token-ttl',
    String(session.accessTokenTtl),
    '--json',
    report,
  ];
  for (const group of groups) args.push('-g', group);
  const output = await new Promise((resolve, reject) =>
    execFile(process.execPath, args, { maxBuffer: 32 * 1024 * 1024, timeout: 20 * 60_000 }, (error, stdout, stderr) => {
      // Exit 1: something failed or was skipped; the report says which.
      if (error && error.code !== 1) reject(new Error(`the validator failed: ${error.message}\n${stderr}`));
      else resolve(stdout);
    }),
  );
  const json = JSON.parse(fs.readFileSync(report, 'utf8'));
  fs.rmSync(privateDir, { recursive: true, force: true });
  fs.writeFileSync(path.join(outDir, 'validator-report.json'), mask(JSON.stringify(json, null, 2)));
  fs.writeFileSync(path.join(outDir, 'validator-output.txt'), mask(output));
  return json;
}

function applicableGroups(info) {
  return REQUIRED_GROUPS.map(({ requirement, candidates }) => {
    switch (candidates[0]) {
      case 'PutRelativeFile':
        return info.UserCanNotWriteRelative === true
          ? { requirement, group: 'PutRelativeFileUnsupported', reason: 'UserCanNotWriteRelative is true' }
          : {
              requirement,
              group: 'PutRelativeFile',
              reason: 'PutRelativeFile is offered (UserCanNotWriteRelative not true)',
            };
      case 'RenameFileIfCreateChildFileIsNotSupported':
        if (info.SupportsRename !== true) return { requirement, group: null, reason: 'SupportsRename is not true' };
        if (info.SupportsContainers === true)
          return { requirement, group: candidates[1], reason: 'SupportsRename and SupportsContainers' };
        // The validator's group makes the file it renames with PutRelativeFile (its prerequisite
        // UserCanWriteRelativePrereq): without PutRelativeFile Microsoft's validator skips it too.
        return info.UserCanNotWriteRelative === true
          ? {
              requirement,
              group: null,
              reason:
                "SupportsRename, but the validator's group creates the file it renames with PutRelativeFile, which is " +
                'off (UserCanNotWriteRelative): the validator cannot run it; rename is shown by the manual rename check',
            }
          : { requirement, group: candidates[0], reason: 'SupportsRename, no containers' };
      case 'PutUserInfo':
        return info.SupportsUserInfo === true
          ? { requirement, group: 'PutUserInfo', reason: 'SupportsUserInfo is true' }
          : { requirement, group: null, reason: 'SupportsUserInfo is not true' };
      case 'ProofKeys':
        return { requirement, group: 'ProofKeys', reason: 'the client profile requires proof keys' };
      default:
        return { requirement, group: candidates[0], reason: 'always required' };
    }
  });
}

/** Groups not on Microsoft's required list that test what this host offers: run, reported, not counted. */
function additionalGroups(info) {
  return [
    ...(info.SupportsGetLock === true ? [{ group: 'GetLock', reason: 'SupportsGetLock is true' }] : []),
    ...(info.SupportsExtendedLockLength === true
      ? [{ group: 'ExtendedLockLength', reason: 'SupportsExtendedLockLength is true' }]
      : []),
  ];
}

// ------------------------------------------------------------------------------------------------
// Manual checks: what Microsoft tests by hand (testing.rst, shipping.rst "Test accounts and video").

function manualChecks(target, opts) {
  const a = opts['user-a'];
  const b = opts['user-b'];
  const login = target.loginUrl;
  return [
    {
      id: 'host-frame-integration',
      title: "HostFrameIntegration validator group (runs only inside Office for the web's validator frame)",
      source: 'testing.rst / required_validator_tests.rst',
      steps: [
        `Sign in at ${login} as ${a} and upload a new, empty file named e.g. test.wopitest (or .wopitestx).`,
        "Open it: the host page loads Microsoft's WOPI validator (WopiTest app) in the frame.",
        "Run all groups; HostFrameIntegration exercises the host page's PostMessage handling.",
        "ValidLanguagePlaceholderValues must pass too: the gateway fills UI_LLCC and DC_LLCC (the session's locale).",
      ],
      record: 'Video 1: the upload, the open, the run, and every required group passing on screen.',
    },
    {
      id: 'word-edit',
      title: 'Word on the web: upload a new Word document and edit it',
      source: 'shipping.rst, Test accounts and video',
      steps: [
        `Sign in at ${login} as ${a}.`,
        'Upload a new .docx.',
        'Open it for editing, type, wait for "Saved".',
        'Close and reopen: the change is there.',
      ],
      record: 'Video 2.',
    },
    {
      id: 'powerpoint-edit',
      title: 'PowerPoint on the web: upload a new presentation and edit it',
      source: 'shipping.rst, Test accounts and video',
      steps: [
        `Sign in at ${login} as ${a}.`,
        'Upload a new .pptx.',
        'Open it for editing, change a slide, wait for "Saved".',
        'Close and reopen.',
      ],
      record: 'Video 3.',
    },
    {
      id: 'excel-edit',
      title: 'Excel on the web: upload a new workbook and edit it',
      source: 'shipping.rst, Test accounts and video',
      steps: [
        `Sign in at ${login} as ${a}.`,
        'Upload a new .xlsx.',
        'Open it for editing, change a cell, wait for "Saved".',
        'Close and reopen.',
      ],
      record: 'Video 4.',
    },
    {
      id: 'multi-user-coauthoring',
      title: 'Multi-user co-authoring (Word, Excel and PowerPoint each)',
      source: 'testing.rst, Co-authoring',
      steps: [
        `As ${a}, share the document with ${b} (the explicit share action of the core app: show it).`,
        `Open it for editing as ${a} in one browser.`,
        `Open the same document for editing as ${b} in another browser (or a private window).`,
        'Both editors show each other as present (one co-authoring session).',
        'Edit as both users; neither is disconnected.',
        "Leave; reopen: the saved file has both users' edits.",
      ],
      record: 'Video 5 (share action included); repeat per application.',
      ifItFails:
        'Two separate sessions: file IDs differ (see the file-ids answer). A user kicked out: locks are refused across users.',
    },
    {
      id: 'single-user-coauthoring',
      title: 'Single-user co-authoring',
      source: 'testing.rst',
      steps: [
        `Open a document for editing as ${a}.`,
        `Open it again as ${a} in a different browser.`,
        'Both instances are in one session.',
      ],
      record: 'Optional video.',
    },
    {
      id: 'rename',
      title: 'Rename from the title bar',
      source: 'testing.rst, Rename',
      steps: [
        'Open a document for editing.',
        'Click the name in the title bar and rename it.',
        'Close: the core app lists the new name; the browser tab title follows (File_Rename).',
      ],
      record: 'Optional video.',
    },
    {
      id: 'save-as-excel',
      title: 'Save As in Excel on the web (PutRelativeFile)',
      source: 'testing.rst, Save As in Excel',
      steps: [
        'Open a workbook for editing.',
        'File > Save As > Save As, a new name.',
        'The copy appears in the core app next to the original.',
      ],
      record: 'Optional video.',
    },
    {
      id: 'download-copy',
      title: 'Download a Copy has the latest edits and does not redirect',
      source: 'testing.rst',
      steps: [
        'Edit, wait for "Saved".',
        'File > Save As > Download a Copy.',
        'The download starts at once and has the edit.',
      ],
      record: 'Optional video.',
    },
  ];
}

// ------------------------------------------------------------------------------------------------
// Output.

function toMarkdown(report) {
  const lines = [];
  lines.push('# WOPI compliance report', '');
  lines.push(
    `Generated ${report.generatedAt} against ${report.gateway.apiUrl} (validator profile "${report.validator.client}", proof keys on).`,
    '',
  );
  lines.push(
    `Verdict: ${report.verdict.allRequiredGroupsPassed ? 'every required validator group passed' : 'NOT every required validator group passed'}; ` +
      `${report.verdict.allQuestionsAnswered ? 'every question answered with evidence' : 'NOT every question answered'}; ` +
      `${report.verdict.allAnswersSatisfied ? 'every answer as Microsoft expects' : 'some answers need attention'}.`,
    '',
  );
  lines.push('## 1. WOPI validator (required groups)', '');
  lines.push('| requirement | group run | why | passed | failed | skipped |', '| --- | --- | --- | --- | --- | --- |');
  for (const r of report.validator.required) {
    const g = r.group ? report.validator.groups[r.group] : null;
    lines.push(
      `| ${r.requirement} | ${r.group ?? 'not run'} | ${r.reason} | ${g?.passed ?? '-'} | ${g?.failed ?? '-'} | ${g?.skipped ?? '-'} |`,
    );
  }
  for (const a of report.validator.additional) {
    const g = report.validator.groups[a.group];
    lines.push(
      `| (not required) | ${a.group} | ${a.reason} | ${g?.passed ?? '-'} | ${g?.failed ?? '-'} | ${g?.skipped ?? '-'} |`,
    );
  }
  lines.push(
    '',
    'HostFrameIntegration runs only in the browser validator of Office for the web: see the manual checks.',
    '',
  );
  const notPassing = Object.entries(report.validator.groups).flatMap(([group, g]) =>
    g.tests.filter((t) => t.status !== 'pass').map((t) => `- ${group}/${t.name}: ${t.status} ${t.message ?? ''}`),
  );
  if (notPassing.length) lines.push('Tests not passing:', '', ...notPassing, '');
  lines.push('## 2. Implementation questionnaire', '');
  for (const q of report.questionnaire) {
    lines.push(
      `### ${q.question}`,
      '',
      `**${q.satisfied ? 'OK' : 'ATTENTION'}**: ${q.answer}`,
      '',
      '<details><summary>Evidence</summary>',
      '',
    );
    for (const e of q.evidence) {
      lines.push(
        `- ${e.what}${e.request ? `: \`${e.request.method} ${e.request.url}\` → ${e.response?.status ?? '-'}` : ''}`,
      );
      lines.push(
        '',
        '  ```json',
        ...JSON.stringify(e, null, 2)
          .split('\n')
          .map((l) => `  ${l}`),
        '  ```',
        '',
      );
    }
    lines.push('</details>', '');
  }
  lines.push('## 3. Manual checks and videos', '');
  for (const m of report.manualChecks) {
    lines.push(`### ${m.title}`, '', `Source: ${m.source}. Record: ${m.record}`, '');
    m.steps.forEach((step, i) => lines.push(`${i + 1}. ${step}`));
    if (m.ifItFails) lines.push('', `If it fails: ${m.ifItFails}`);
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}

function toHtml(report, markdown) {
  const escape = (t) => t.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>WOPI compliance report</title>
<style>body{font-family:system-ui,sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem}pre{white-space:pre-wrap;background:#f6f8fa;padding:1rem}</style>
</head><body><h1>WOPI compliance report</h1><p>${escape(report.generatedAt)}: the Markdown report, verbatim.</p>
<pre>${escape(markdown)}</pre></body></html>
`;
}

async function main() {
  const opts = options();
  const target = opts.api
    ? { api: opts.api.replace(/\/$/, ''), key: opts.key, wopitestRef: opts['wopitest-ref'], docRef: opts['doc-ref'] }
    : await demoTarget();
  if (!target.key) throw new UsageError('pass --key SESSION_API_KEY with --api');
  if (!target.wopitestRef) throw new UsageError('pass --wopitest-ref (the core-app reference of a .wopitest file)');
  const demo = !opts.api;
  target.loginUrl = demo
    ? `${JSON.parse(fs.readFileSync(path.join(localDir, 'demo', 'runtime.json'), 'utf8')).demoCoreUrl}/`
    : (opts['login-url'] ?? 'the login URL of your test system');
  const cli = path.join(opts['validator-dir'], 'cli.mjs');
  if (!fs.existsSync(cli))
    throw new UsageError(`the WOPI validator is missing at ${cli} (set --validator-dir or WOPI_VALIDATOR_DIR)`);
  const proofModule = await import(pathToFileURL(path.join(opts['validator-dir'], 'lib', 'proofkeys.mjs')).href);
  const proof = {
    ...proofModule,
    keys: proofModule.loadProofKeys(path.join(opts['validator-dir'], 'data', 'proof-keys')),
  };
  const gw = createGateway({ api: target.api, key: target.key, client: opts.client, proof });
  fs.mkdirSync(opts.out, { recursive: true });
  process.stderr.write(`compliance: measuring ${target.api}\n`);

  const startedAt = Date.now();
  const questionnaire = await measureQuestionnaire(gw, target, opts);

  const validatorSession = await gw.session(target.wopitestRef, opts['user-a']);
  const info = (await gw.wopi(validatorSession, 'CheckFileInfo')).json ?? {};
  const required = applicableGroups(info);
  const requiredGroups = required.map((r) => r.group).filter(Boolean);
  const additional = additionalGroups(info);
  const toRun = [...requiredGroups, ...additional.map((a) => a.group)];
  process.stderr.write(`compliance: running the validator (${toRun.join(', ')})\n`);
  const validatorReport = await runValidator(cli, validatorSession, toRun, opts.out);
  const groups = {};
  for (const group of validatorReport.groups) {
    const count = (status) => group.tests.filter((t) => t.status === status).length;
    groups[group.name] = {
      passed: count('pass'),
      failed: count('fail'),
      skipped: group.tests.length - count('pass') - count('fail'),
      tests: group.tests.map((t) => ({
        name: t.name,
        status: t.status,
        ...(t.message ? { message: mask(t.message) } : {}),
      })),
    };
  }

  // File IDs over time: a new session after the validator's run (minutes later, after PutFiles,
  // locks, renames of copies) still names the same ID.
  const later = await gw.session(target.wopitestRef, opts['user-b']);
  const fileIds = questionnaire.find((q) => q.id === 'file-ids');
  const stableOverTime = later.fileId === fileIds.pendingTimeCheck;
  fileIds.answer +=
    ` Over time: a session opened ${Math.round((later.issuedAt - startedAt) / 1000)} s after the first, after the validator run, ` +
    `got ${later.fileId} (${stableOverTime ? 'the same ID' : 'A DIFFERENT ID'}).`;
  fileIds.satisfied = fileIds.satisfied && stableOverTime;
  fileIds.evidence.push(later.evidence);
  delete fileIds.pendingTimeCheck;

  const allRequiredGroupsPassed = requiredGroups.every(
    (g) => groups[g] && groups[g].failed === 0 && groups[g].skipped === 0 && groups[g].passed > 0,
  );
  const allQuestionsAnswered = questionnaire.every((q) => q.answer && q.evidence.length > 0);
  const report = {
    generatedAt: new Date().toISOString(),
    gateway: { apiUrl: target.api, loginUrl: target.loginUrl },
    verdict: {
      allRequiredGroupsPassed,
      allQuestionsAnswered,
      allAnswersSatisfied: questionnaire.every((q) => q.satisfied),
    },
    validator: {
      client: opts.client,
      proofKeys: true,
      summary: validatorReport.summary,
      required,
      additional,
      groups,
    },
    questionnaire,
    manualChecks: manualChecks(target, opts),
  };
  const markdown = toMarkdown(report);
  fs.writeFileSync(path.join(opts.out, 'compliance.json'), `${JSON.stringify(report, null, 2)}\n`);
  fs.writeFileSync(path.join(opts.out, 'compliance.md'), markdown);
  fs.writeFileSync(path.join(opts.out, 'compliance.html'), toHtml(report, markdown));
  process.stdout.write(
    `compliance: ${allRequiredGroupsPassed ? 'every required validator group passed' : 'REQUIRED VALIDATOR GROUPS NOT PASSING'}, ` +
      `${questionnaire.length} questions answered${report.verdict.allAnswersSatisfied ? '' : ' (some need attention)'}: ` +
      `${path.join(opts.out, 'compliance.md')}\n`,
  );
  process.exitCode = allRequiredGroupsPassed && allQuestionsAnswered ? 0 : 1;
}

main().catch((error) => {
  process.stderr.write(
    // fetch() hides why in its cause (ECONNREFUSED, ENOTFOUND, a TLS error...).
    `compliance: ${mask(error.message)}${error.cause ? ` (${mask(error.cause.code ?? error.cause.message)})` : ''}\n`,
  );
  process.exit(error instanceof UsageError ? 2 : 1);
});
