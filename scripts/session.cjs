#!/usr/bin/env node
'use strict';
/**
 * `npm run --silent session -- --file <demo file name> [--user <id>] [--tenant <slug>] [--action view|edit] [--client <profile name>] [--validator-args]`
 *
 * Creates an editor session on the running demo (started by `npm run demo`) through the session
 * API, exactly as a core app would, and prints one JSON object:
 * {wopiSrc, accessToken, accessTokenTtl, hostPageUrl, client}.
 * With --validator-args it prints the WOPI validator's arguments for that session instead
 * (`--wopisrc … --token … --token-ttl …`), for `node cli.mjs $(npm run --silent session -- …)`.
 */
const fs = require('node:fs');
const path = require('node:path');
const { parseArgs } = require('node:util');

const root = path.resolve(__dirname, '..');
const runtimeFile = path.join(path.resolve(root, process.env.WOPI_LOCAL_DIR ?? '.local'), 'demo', 'runtime.json');

function fail(message) {
  process.stderr.write(`session: ${message}\n`);
  process.exit(1);
}

async function main() {
  const { values } = parseArgs({
    options: {
      file: { type: 'string' },
      ref: { type: 'string' },
      user: { type: 'string', default: 'alice' },
      tenant: { type: 'string', default: 'demo' },
      action: { type: 'string' },
      client: { type: 'string' },
      'validator-args': { type: 'boolean', default: false },
    },
  });
  if (!values.file && !values.ref) fail('pass --file <demo file name> (or --ref <core ref>)');
  if (!fs.existsSync(runtimeFile)) fail('no running demo found: start it with `npm run demo`');
  const runtime = JSON.parse(fs.readFileSync(runtimeFile, 'utf8'));
  const tenant = runtime.tenants[values.tenant];
  if (!tenant) fail(`unknown tenant "${values.tenant}" (known: ${Object.keys(runtime.tenants).join(', ')})`);

  let fileRef = values.ref;
  if (!fileRef) {
    // demo-core takes only requests signed as the gateway signs them (core-app contract v1).
    const { signRequest, EMPTY_BODY_SHA256 } = require('../dist/libs/core-app-client/src/request-signing.js');
    const listing = await fetch(`${runtime.demoCoreUrl}/core/v1/files`, {
      headers: signRequest(runtime.demoCoreApiSecret, {
        method: 'GET',
        pathWithQuery: '/core/v1/files',
        contentSha256: EMPTY_BODY_SHA256,
        timestampMs: Date.now(),
      }),
    });
    if (!listing.ok) fail(`demo-core answered ${listing.status} listing its files`);
    const { files } = await listing.json();
    const file = files.find((f) => f.name === values.file);
    if (!file)
      fail(`no file named "${values.file}" in the demo core app (there are: ${files.map((f) => f.name).join(', ')})`);
    fileRef = file.ref;
  }

  const response = await fetch(`${runtime.apiUrl}/api/v1/sessions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${tenant.sessionApiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      fileRef,
      userId: values.user,
      ...(values.action ? { action: values.action } : {}),
      ...(values.client ? { client: values.client } : {}),
    }),
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) fail(`the session API answered ${response.status}: ${body.message ?? JSON.stringify(body)}`);
  const { wopiSrc, accessToken, accessTokenTtl, hostPageUrl, client } = body;
  // Word-split by the shell as they are: a WOPI source URL and a JWT hold no blank or quote.
  if (values['validator-args'])
    return void process.stdout.write(`--wopisrc ${wopiSrc} --token ${accessToken} --token-ttl ${accessTokenTtl}\n`);
  process.stdout.write(`${JSON.stringify({ wopiSrc, accessToken, accessTokenTtl, hostPageUrl, client })}\n`);
}

main().catch((error) =>
  fail(error.cause?.code === 'ECONNREFUSED' ? 'the demo is not answering: is `npm run demo` running?' : error.message),
);
